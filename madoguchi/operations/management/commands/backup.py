from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from madoguchi.operations.backup import BackupError, backup


class Command(BaseCommand):
    help = "データベース全体（監査ログを含む）の整合したバックアップを1ファイルに書く"

    def add_arguments(self, parser):
        parser.add_argument("out", type=Path, help="出力ファイル（.tar）")

    def handle(self, *args, **opts):
        try:
            m = backup(opts["out"])
        except BackupError as e:
            raise CommandError(str(e), returncode=2) from None
        self.stdout.write(
            f"backup written to {opts['out']} ({m.vendor}, audit chain up to seq {m.audit_seq})"
        )
