import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "デモ自治体を作成して起動する（SQLite, 合成住民, カタログ, 職員アカウント）"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=120_000, help="合成住民の人数")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--pending", type=int, default=50, help="転入予定世帯の数")
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-serve", action="store_true", help="作成だけして起動しない")

    def handle(self, *args, **opts):
        from madoguchi.demo.builder import DEMO_SEED, build_demo

        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
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
        if not getattr(settings, "MADOGUCHI_BUSINESS_DATE", ""):
            # the demo move-in family moves in on 2027-03-29: on an earlier real date the
            # counter refuses that 異動日 as in the future (docs/counter.md)
            self.stdout.write(
                "届出日は今日です。シナリオの日付で窓口を試すには "
                "MADOGUCHI_BUSINESS_DATE=event を付けて起動してください。"
            )
        self.stdout.write("")
        if opts["no_serve"]:
            return
        url = f"http://{opts['addr']}:{opts['port']}/"
        self.stdout.write(f"ブラウザで {url} を開いてください（終了は Ctrl+C）")
        call_command("serve", addr=opts["addr"], port=opts["port"])
