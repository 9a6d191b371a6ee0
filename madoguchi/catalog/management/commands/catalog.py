"""``madoguchi catalog check|load|export``

- ``check DIR``: validate a catalog folder; every problem as ``file:line: message``;
  exit 2 when there is any.
- ``load [DIR]``: validate and publish the catalog as rows (nothing loaded on errors).
- ``export [--out DIR] [--date YYYY-MM-DD]``: write the catalog in force back to the
  same YAML layout.
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
        export.add_argument("--dir", help="catalog folder to read (default: the configured one)")

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
            elif action == "export":
                on = date.fromisoformat(opts["date"]) if opts.get("date") else None
                catalog = load_catalog(opts.get("dir"))
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
