"""``madoguchi tasks retry``: hand every task not yet delivered to its department system
again (run it from cron; department queue pages also retry while they poll)."""

import json

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "課への回付（ハンドオフ）の再送"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        retry = sub.add_parser("retry", help="連携に失敗した（または未連携の）処理を再送する")
        retry.add_argument("--all", action="store_true", help="直近に試みたものも再送する")

    def handle(self, *args, **opts):
        from madoguchi.tasks.services import retry_handoffs

        if opts["action"] == "retry":
            result = retry_handoffs(force=opts["all"])
            self.stdout.write(json.dumps(result, ensure_ascii=False))
            if result["retried"] and result["sent"] < result["retried"]:
                raise SystemExit(1)
