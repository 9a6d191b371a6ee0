"""``madoguchi catalog check|load|export``

- ``check DIR``: validate a catalog folder; every problem as ``file:line: message``;
  exit 2 when there is any.
- ``load [DIR]``: validate and publish the folder as a new immutable version (nothing
  published on errors); every worker reads it from its next request.
- ``export [--out DIR] [--date YYYY-MM-DD] [--dir SRC | --version LABEL]``: write the
  catalog in force (default: the published version) back to the same YAML layout.
- ``versions``: the published versions, newest first (docs/catalog-city.md).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    requires_system_checks: list = []  # pure file work: start fast, need no URLs or models
    help = "手続カタログの検査・登録・書き出し"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        check = sub.add_parser("check", help="validate a catalog folder")
        check.add_argument("dir", nargs="?")
        load = sub.add_parser("load", help="validate and publish a catalog folder")
        load.add_argument("dir", nargs="?")
        export = sub.add_parser("export", help="write the catalog in force as YAML")
        export.add_argument("--out", default="catalog-export")
        export.add_argument("--date", help="the date whose catalog is in force (default today)")
        export.add_argument("--dir", help="catalog folder to read (default: the published one)")
        export.add_argument("--version", help="a published version's label")
        sub.add_parser("versions", help="list the published catalog versions")

    def handle(self, *args, **opts):
        from madoguchi.catalog.loader import CatalogError, export_catalog, load_catalog

        action = opts["action"]
        try:
            if action == "check":
                catalog = load_catalog(opts.get("dir"))
                n = sum(len(v) for v in catalog.procedures.values())
                self.stdout.write(
                    f"OK: {catalog.name}（{catalog.municipality}） 手続 {len(catalog.procedures)} 件"
                    f"（版 {n}）、条件 {len(catalog.conditions)} 件、質問 {len(catalog.questions)} 件、"
                    f"様式 {len(catalog.forms)} 件"
                )
            elif action == "load":
                from madoguchi.catalog.services import load_into_db

                version = load_into_db(opts.get("dir"))
                self.stdout.write(
                    f"登録しました: {version.name} 版 {version.label}（{version.digest[:12]}）"
                )
            elif action == "versions":
                from django.utils import timezone

                from madoguchi.catalog.models import CatalogVersion

                for v in CatalogVersion.objects.order_by("-pk"):
                    mark = "*" if v.published else " "
                    at = timezone.localtime(v.loaded_at)  # the label's day is local too
                    self.stdout.write(
                        f"{mark} {v.label}  {v.name}（{v.code}）  法令版 {v.in_force or '-'}  "
                        f"{at:%Y-%m-%d %H:%M}  sha256:{v.digest[:16]}"
                    )
            elif action == "export":
                from madoguchi.catalog import versions
                from madoguchi.catalog.loader import current_catalog

                on = date.fromisoformat(opts["date"]) if opts.get("date") else None
                if opts.get("dir"):
                    catalog = load_catalog(opts["dir"])
                elif opts.get("version"):
                    catalog = versions.by_label(opts["version"])
                else:
                    catalog = current_catalog()
                files = export_catalog(catalog, opts["out"], on)
                self.stdout.write(f"{len(files)} ファイルを {opts['out']} に書き出しました")
        except CatalogError as exc:
            for issue in exc.issues:
                self.stderr.write(str(issue))
            raise CommandError(
                f"カタログに {len(exc.issues)} 件の誤りがあります（何も登録していません）",
                returncode=2,
            ) from exc
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
