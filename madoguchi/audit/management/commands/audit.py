import json

from django.core.management.base import BaseCommand, CommandError

from madoguchi.audit import anchor, services


class Command(BaseCommand):
    help = "監査ログ: verify で改ざん・削除を検出する / checkpoint で現在の先頭を外部に記録する"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        v = sub.add_parser("verify", help="ハッシュチェーンを検証する")
        v.add_argument("--json", action="store_true")
        v.add_argument(
            "--archive",
            action="append",
            default=[],
            metavar="FILE",
            help="監査アーカイブのファイル（アーカイブ用ディレクトリ以外に移したもの）",
        )
        sub.add_parser(
            "checkpoint",
            help="現在のチェーンの先頭を外部チェックポイントに書く（導入・アップグレード直後）",
        )

    def handle(self, *args, **opts):
        if opts["action"] == "checkpoint":
            seq, hash_ = services.head()
            anchor.checkpoint(seq, hash_)
            self.stdout.write(f"checkpoint seq {seq} written to {anchor.path()}")
            return
        result = services.verify(archive_files=opts.get("archive") or ())
        if opts.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "ok": result.ok,
                        "checked": result.checked,
                        "archived": result.archived,
                        "problems": result.problems,
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for p in result.problems:
                self.stderr.write(p)
            self.stdout.write(
                f"checked {result.checked} records"
                + (f" and {result.archived} archived records" if result.archived else "")
                + f": {'OK' if result.ok else 'BROKEN'}"
            )
        if not result.ok:
            raise CommandError("audit chain is broken", returncode=1)
