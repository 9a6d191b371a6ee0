import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "本番向けWSGIサーバー（waitress）でmadoguchiを起動する（docs/deploy.md）"

    def add_arguments(self, parser):
        parser.add_argument("--addr", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--threads", type=int, default=None, help="作業スレッド数（既定: MADOGUCHI_THREADS）"
        )

    def handle(self, *args, **opts):
        from django.core import checks

        from madoguchi.core.serving import serve

        # Every error `check --deploy` reports (madoguchi.core.deploy, the audit key …).
        problems = [
            m
            for m in checks.run_checks(include_deployment_checks=True)
            if m.level >= checks.ERROR and not m.is_silenced()
        ]
        if settings.MADOGUCHI_PRODUCTION and problems:
            for m in problems:
                self.stderr.write(f"refused: {m.id}: {m.msg}")
            raise CommandError(
                "本番モードでは安全でない設定のまま起動できません（docs/deploy.md）", returncode=3
            )
        if problems and not settings.MADOGUCHI_PRODUCTION:
            self.stderr.write("demo mode: not for production (see docs/deploy.md)")

        # Start-up check: the database answers and every migration is applied; otherwise
        # say so clearly (the type of the failure only) instead of serving 503s.
        from madoguchi.operations import health

        for name in ("database", "migrations"):
            try:
                health.CHECKS[name]()
            except Exception as exc:
                self.stderr.write(f"start-up check failed: {name}: {type(exc).__name__}")
                raise CommandError(
                    "データベースを利用できないため起動しません（DATABASE_URL と "
                    "`madoguchi migrate` を確認してください）",
                    returncode=4,
                ) from None

        from madoguchi.wsgi import application

        serve(application, opts["addr"], opts["port"], opts["threads"], ready=sys.stdout.flush)
