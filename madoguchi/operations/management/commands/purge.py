import json

from django.core.management.base import BaseCommand, CommandError

from madoguchi.audit.archive import ArchiveError
from madoguchi.operations.retention import RetentionError, purge


class Command(BaseCommand):
    help = (
        "保存期間を過ぎた記録を集計してから削除・匿名化し、監査ログを署名付き"
        "アーカイブに移す（docs/retention.md）"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="何も変えずに件数だけを表示する")
        parser.add_argument("--json", action="store_true", help="結果をJSONで出力する")

    def handle(self, *args, **opts):
        try:
            report = purge(dry_run=opts["dry_run"])
        except (RetentionError, ArchiveError) as e:
            raise CommandError(str(e), returncode=2) from None
        if opts["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False, sort_keys=True))
            return
        head = "dry run (nothing changed)" if report.dry_run else "purged"
        self.stdout.write(f"{head} on {report.today}; rolled up {report.rolled_up_days} days")
        for kind, first_kept in report.cutoffs.items():
            self.stdout.write(f"  {kind}: kept from {first_kept}")
        for name, n in report.deleted.items():
            self.stdout.write(f"  deleted {name}: {n}")
        for name, n in report.anonymised.items():
            self.stdout.write(f"  anonymised {name}: {n}")
        for name, n in report.kept.items():
            if n:
                self.stdout.write(f"  kept past the period ({name}): {n}")
        verb = "would archive" if report.dry_run else "archived"
        self.stdout.write(
            f"  audit: {verb} {report.audit_archived} records"
            + (f" to {report.audit_archive_file}" if report.audit_archive_file else "")
        )
