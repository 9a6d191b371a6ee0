from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.operations.backup import BackupError, restore


class Command(BaseCommand):
    help = "バックアップから空のデータベースへ復元し、復元を監査アンカーに記録する"

    def add_arguments(self, parser):
        parser.add_argument("src", type=Path, help="madoguchi backup で作ったファイル")
        parser.add_argument("--force", action="store_true", help="空でないデータベースを置き換える")

    def handle(self, *args, **opts):
        try:
            m = restore(opts["src"], force=opts["force"])
        except BackupError as e:
            raise CommandError(str(e), returncode=2) from None
        self.stdout.write(
            f"restored {m.vendor} backup of {m.created} (audit chain up to seq {m.audit_seq}); "
            "run `madoguchi migrate` if this version is newer, then `madoguchi audit verify`"
        )
