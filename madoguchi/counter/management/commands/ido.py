"""``madoguchi ido export`` / ``reconcile`` / ``retry`` / ``send``: the 異動 records of
signed visits for the core resident-register system (the nightly batch; each visit's
record goes through the hand-off registry when it is signed), their hand-off retried, and
their reconciliation with the register as last imported (docs/ido.md)."""

import json
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from madoguchi.accounts.models import Staff


def _date(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(
            f"--date: 日付は YYYY-MM-DD で指定してください: {value!r}", returncode=2
        ) from None


class Command(BaseCommand):
    help = "異動ファイル: 署名済み案件の異動記録の出力（export）と、次の住民記録取込との照合（reconcile）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        e = sub.add_parser("export", help="異動記録を JSON と CSV に出力する（基幹系への受け渡し）")
        e.add_argument("--date", help="この日に署名した案件（YYYY-MM-DD、既定: 今日）")
        e.add_argument("--visit", type=int, help="この案件だけ")
        e.add_argument("--out", required=True, help="出力先フォルダ（ido-YYYYMMDD.json / .csv）")
        r = sub.add_parser("reconcile", help="異動記録を住民記録（最後の取込）と照合する")
        r.add_argument("--date", help="この日に署名した案件（既定: すべての署名済み案件）")
        r.add_argument(
            "--days",
            type=int,
            default=None,
            help="反映待ちとみなす日数（既定: MADOGUCHI_IDO_WAIT_DAYS、3）",
        )
        r.add_argument(
            "--staff", required=True, help="照合する職員（支援措置の権限で表示が決まる）"
        )
        r.add_argument("--json", action="store_true")
        r.add_argument(
            "--dry-run",
            action="store_true",
            help="出生・紙の転入の人と照合できた宛名番号を記録しない",
        )
        t = sub.add_parser(
            "retry", help="基幹系への連携に失敗した（または未連携の）異動記録を再送する"
        )
        t.add_argument("--all", action="store_true", help="直近に試みたものも再送する")
        s = sub.add_parser(
            "send", help="案件の異動記録をもう一度受け渡す（同じファイル名: 重複しない）"
        )
        s.add_argument("--visit", type=int, required=True, help="案件番号")

    def handle(self, *args, **opts):
        from madoguchi.audit.services import record
        from madoguchi.counter import ido

        if opts["action"] in ("retry", "send"):
            from madoguchi.counter import ido_handoff

            if opts["action"] == "retry":
                result = ido_handoff.retry(force=opts["all"])
            else:
                attempts = ido_handoff.resend(opts["visit"])
                if (
                    not attempts
                    and not ido_handoff.IdoHandOff.objects.filter(visit_id=opts["visit"]).exists()
                ):
                    raise CommandError(
                        f"--visit: 案件 {opts['visit']} の異動記録はありません", returncode=2
                    )
                result = {"retried": len(attempts), "sent": sum(a.ok for a in attempts)}
            result["undelivered"] = ido_handoff.undelivered().count()
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            if result["undelivered"]:
                raise SystemExit(1)
            return
        on = _date(opts.get("date"))
        if opts["action"] == "export":
            day = on or timezone.localdate()
            visits = ido.signed_visits(None if opts.get("visit") else day, opts.get("visit"))
            rows = [r for v in visits for r in ido.records(v)]
            out = Path(opts["out"])
            out.mkdir(parents=True, exist_ok=True)
            stem = f"ido-{opts['visit']}" if opts.get("visit") else f"ido-{day:%Y%m%d}"
            (out / f"{stem}.json").write_text(ido.to_json(rows), encoding="utf-8")
            (out / f"{stem}.csv").write_text(ido.to_csv(rows), encoding="utf-8")
            # a system door (the core system registers every person, protected or not)
            record(
                None,
                "ido.export",
                query=stem,
                person_ids=sorted({r["atena_no"] for r in rows if r["atena_no"]}),
            )
            self.stdout.write(
                json.dumps({"records": len(rows), "files": [f"{stem}.json", f"{stem}.csv"]})
            )
            return
        user = Staff.objects.filter(username=opts["staff"], is_active=True).first()
        if user is None:
            raise CommandError(f"--staff: 職員 {opts['staff']!r} はいません", returncode=2)
        days = opts["days"] if opts["days"] is not None else settings.MADOGUCHI_IDO_WAIT_DAYS
        with transaction.atomic():
            checks = ido.reconcile_visits(ido.signed_visits(on), user, timezone.localdate(), days)
            linked = 0 if opts["dry_run"] else ido.link_matches(checks, user)
        listed = [c for c in checks if c.status in ("相違", "未反映", "要確認")]
        if opts["json"]:
            self.stdout.write(json.dumps([ido.check_dict(c) for c in checks], ensure_ascii=False))
        else:
            for c in checks:
                self.stdout.write(ido.check_line(c))
            self.stdout.write(
                f"照合 {len(checks)} 件、要対応 {len(listed)} 件、宛名番号を記録 {linked} 人"
            )
        if listed:
            raise SystemExit(1)
