import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from madoguchi.core import clock


class Command(BaseCommand):
    help = "デモ自治体を作成して起動する（SQLite, 合成住民, カタログ, 職員アカウント）"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=120_000, help="合成住民の人数")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--pending", type=int, default=50, help="転入予定世帯の数")
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="作成だけして起動しない")
        parser.add_argument(
            "--business-date",
            default=None,
            help="届出日: event（各来庁の異動日、既定）, today（今日）, または YYYY-MM-DD",
        )

    def handle(self, *args, **opts):
        from madoguchi.demo.builder import DEMO_SEED, build_demo

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        # The demo's scenarios are dated (the move-in family moves in on 2027-03-29): on the
        # real date the counter would refuse that 異動日 as in the future, so the demo city
        # is notified on each visit's own 異動日 unless told otherwise (docs/counter.md).
        chosen = opts["business_date"]
        if chosen is None:
            chosen = getattr(settings, "MADOGUCHI_BUSINESS_DATE", "") or clock.EVENT
        settings.MADOGUCHI_BUSINESS_DATE = "" if chosen == "today" else chosen
        try:
            clock.pinned()
        except ValueError:
            raise CommandError(
                f"--business-date: {chosen!r} は event, today, YYYY-MM-DD のいずれかです"
            ) from None
        started = time.perf_counter()
        self.stdout.write(
            "デモ自治体を準備しています…（初回は住民データの生成に1分ほどかかります）"
        )
        summary = build_demo(
            persons=opts["persons"],
            seed=opts["seed"] if opts["seed"] is not None else DEMO_SEED,
            pending=opts["pending"],
        )
        self.stdout.write(
            f"準備完了 {time.perf_counter() - started:.1f} s — カタログ版 {summary.catalog_version}"
            + (f", 住民 {summary.created_persons} 人を生成" if summary.created_persons else "")
            + (
                f", 過去1年の来庁 {summary.history_tickets} 件を生成"
                if summary.history_tickets
                else ""
            )
        )
        self.stdout.write("")
        self.stdout.write("デモ職員アカウント（ユーザー名 / パスワード / 役割 / 課）:")
        for username, password, role, dept in summary.staff:
            self.stdout.write(f"  {username:<12} {password:<18} {role:<10} {dept}")
        if settings.MADOGUCHI_BUSINESS_DATE == clock.EVENT:
            self.stdout.write(
                "届出日: 各来庁の異動日（シナリオの日付のまま試せます。今日の日付で"
                "確かめるには --business-date today）"
            )
        else:
            self.stdout.write(f"届出日: {clock.business_date().isoformat()}")
        self.stdout.write("")
        if opts["no_serve"]:
            return
        url = f"http://{opts['addr']}:{opts['port']}/"
        self.stdout.write(f"ブラウザで {url} を開いてください（終了は Ctrl+C）")
        call_command("serve", addr=opts["addr"], port=opts["port"])
