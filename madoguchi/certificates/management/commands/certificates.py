"""``madoguchi certificates …``: render (issue) a certificate, verify a code, the till,
the seal register.

    madoguchi certificates render KIND ATENA_NO --staff USER [--items a,b] [--copies N]
        [--requester self|official|…] [--requester-name …] [--purpose …] [--basis …]
        [--payment cash|cashless|exempt] --out FILE.pdf
    madoguchi certificates verify CODE [--staff USER]
    madoguchi certificates till [--day YYYY-MM-DD] [--counter N] (--pdf FILE | --csv FILE)
    madoguchi certificates seals import FILE --mapping M [--dry-run]
    madoguchi certificates seals generate [--limit N]

``render`` issues a record (with its issue number and verification code) with that staff
member's permissions: a 支援措置 person is refused for staff without the permission,
and every read is audited like the pages. Exit status 2 on bad input or refusal.
"""

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from madoguchi.accounts.models import Staff


def _staff(username: str | None):
    if not username:
        return None
    user = Staff.objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"--staff: 職員 {username!r} はいません", returncode=2)
    return user


class Command(BaseCommand):
    help = "証明書: 交付（render）・照合（verify）・日計表（till）・印鑑登録（seals）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        r = sub.add_parser("render", help="証明書を交付して PDF に出力する（監査記録あり）")
        r.add_argument("kind")
        r.add_argument("atena_no")
        r.add_argument("--staff", required=True)
        r.add_argument("--items", default=None, help="記載事項 (comma separated); '' = none")
        r.add_argument("--copies", type=int, default=1)
        r.add_argument("--requester", default="self")
        r.add_argument("--requester-name", default="")
        r.add_argument("--requester-address", default="")
        r.add_argument("--purpose", default="")
        r.add_argument("--basis", default="")
        r.add_argument("--seal-card", default="")
        r.add_argument("--payment", default="cash")
        r.add_argument("--counter", default="")
        r.add_argument("--out", required=True)
        v = sub.add_parser("verify", help="照合番号を交付記録と照合する")
        v.add_argument("code")
        v.add_argument("--staff", default=None)
        t = sub.add_parser("till", help="日計表（PDF / CSV）")
        t.add_argument("--day", default="")
        t.add_argument("--counter", default="")
        t.add_argument("--pdf", default="")
        t.add_argument("--csv", default="")
        s = sub.add_parser("seals", help="印鑑登録原票の取込・デモ印影の生成")
        s.add_argument("seal_action", choices=["import", "generate"])
        s.add_argument("file", nargs="?")
        s.add_argument("--mapping", default="")
        s.add_argument("--dry-run", action="store_true")
        s.add_argument("--limit", type=int, default=0)

    def handle(self, *args, **opts):
        return getattr(self, "_" + opts["action"])(opts)

    def _render(self, opts):
        from madoguchi.certificates import render, services

        user = _staff(opts["staff"])
        items = None
        if opts["items"] is not None:
            items = [i.strip() for i in opts["items"].split(",") if i.strip()]
        req = services.RequestIn(
            subject_atena_no=opts["atena_no"],
            requester_type=opts["requester"],
            lines=[services.Line(opts["kind"], opts["copies"], items)],
            requester_name=opts["requester_name"],
            requester_address=opts["requester_address"],
            purpose=opts["purpose"],
            legal_basis=opts["basis"],
            seal_card_no=opts["seal_card"],
            payment_method=opts["payment"],
            counter_no=opts["counter"],
            channel="cli",
        )
        try:
            issued = services.issue(req, user)
        except services.Refused as exc:
            raise CommandError(exc.message, returncode=2) from None
        except services.CertificateError as exc:
            raise CommandError(f"{exc.field}: {exc.message}", returncode=2) from None
        certs = list(issued.certificates.order_by("id"))
        Path(opts["out"]).write_bytes(render.render_certificates(certs))
        for c in certs:
            self.stdout.write(f"{c.issue_no}\t{c.code}\t{c.kind_name}\t{c.copies}\t{c.fee}")

    def _verify(self, opts):
        from madoguchi.certificates import services

        v = services.verify(opts["code"], _staff(opts["staff"]), channel="cli")
        if not v.found:
            self.stdout.write("not found: この照合番号の証明書は交付されていません")
            raise CommandError("not found", returncode=1)
        c = v.certificate
        state = (
            "valid"
            if v.authentic and v.status == "valid"
            else ("void" if v.authentic else "tampered")
        )
        self.stdout.write(
            f"{state}\t{c.issue_no}\t{c.kind_name}\t{c.issued_on.isoformat()}\t"
            f"persons={len(c.person_atena_nos)}\titems={','.join(c.items) or '-'}"
            + (f"\treissued_as={v.reissued_as}" if v.reissued_as else "")
        )
        if state != "valid":
            raise CommandError(state, returncode=1)

    def _till(self, opts):
        from madoguchi.certificates import render, services

        day = date.fromisoformat(opts["day"]) if opts["day"] else timezone.localdate()
        t = services.till(day, opts["counter"])
        if opts["pdf"]:
            Path(opts["pdf"]).write_bytes(render.render_till(t))
        if opts["csv"]:
            Path(opts["csv"]).write_bytes(services.till_csv(t))
        self.stdout.write(
            f"{day.isoformat()} issued={len(t.issued)} total={t.total} prepaid={t.prepaid} "
            f"voids={t.void_count} refunds={t.refunds} net={t.net}"
        )

    def _seals(self, opts):
        from madoguchi.certificates import seals

        if opts["seal_action"] == "generate":
            n = seals.generate_demo(limit=opts["limit"])
            self.stdout.write(f"generated {n} seal registrations")
            return
        if not opts["file"] or not opts["mapping"]:
            raise CommandError("seals import FILE --mapping M", returncode=2)
        try:
            n = seals.import_seals(
                Path(opts["file"]), Path(opts["mapping"]), dry_run=opts["dry_run"]
            )
        except seals.SealError as exc:
            raise CommandError(exc.message, returncode=2) from None
        self.stdout.write(f"{'checked' if opts['dry_run'] else 'imported'} {n} rows")
