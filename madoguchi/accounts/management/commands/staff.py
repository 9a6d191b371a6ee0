"""``madoguchi staff import FILE.csv [--dry-run] [--json]`` (docs/staff.md).

Exit status: 0 applied (or, with --dry-run, would apply); 2 rejected (nothing written).
"""

import json

from django.core.management.base import BaseCommand, CommandError

from madoguchi.accounts.staffimport import StaffImportRejected, import_staff


class Command(BaseCommand):
    help = "職員: CSV で一括登録・更新・無効化（全件成功か全件取消）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="職員 CSV を取り込む")
        p.add_argument("file")
        p.add_argument("--dry-run", action="store_true", help="check and report only")
        p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    def handle(self, *args, **opts):
        try:
            result = import_staff(opts["file"], dry_run=opts["dry_run"])
        except StaffImportRejected as exc:
            errors = exc.result.errors
            if opts["json"]:
                self.stdout.write(
                    json.dumps(
                        {"status": "rejected", "errors": [e.__dict__ for e in errors]},
                        ensure_ascii=False,
                    )
                )
            for e in errors:
                self.stderr.write(str(e))
            raise CommandError(
                f"rejected: {len(errors)} error(s), nothing written", returncode=2
            ) from None
        counts = {
            k: len(getattr(result, k)) for k in ("created", "updated", "deactivated", "unchanged")
        }
        if opts["json"]:
            status = "dry-run" if result.dry_run else "applied"
            self.stdout.write(json.dumps({"status": status, **counts}))
        else:
            prefix = "dry run (nothing written): " if result.dry_run else ""
            self.stdout.write(prefix + ", ".join(f"{k} {v}" for k, v in counts.items()))
