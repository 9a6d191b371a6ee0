"""``madoguchi determine FILE [FILE...] [--json] [--visit]``

Each FILE is a situation (JSON or YAML; ``-`` reads stdin). With ``--json`` it prints
one result object for one file, a JSON list for several (in order). ``--visit`` merges
the files as the events of one visit (``determine_visit``). An invalid situation or a
broken catalog prints nothing on stdout, a message naming the field on stderr, and
exits 2.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from madoguchi.core import yamlsafe


def _loader():
    import yaml

    class Loader(yaml.SafeLoader):
        """Safe YAML whose impossible dates (2027-02-30) stay text, so that validation
        rejects them naming the field instead of a bare YAML error."""

    def timestamp(loader, node):
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except ValueError:
            return loader.construct_scalar(node)

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    return Loader


def read_situation(name: str):

    text = sys.stdin.read() if name == "-" else open(name, encoding="utf-8").read()
    if name.endswith(".json"):
        return json.loads(text)
    return yamlsafe.load(text, _loader())  # refuses alias bombs


class Command(BaseCommand):
    requires_system_checks: list = []  # pure file work: start fast, need no URLs or models
    help = "状況ファイルから必要な手続を判定する（determine）"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", help="situation files (JSON/YAML), - for stdin")
        parser.add_argument("--json", action="store_true", help="print the result as JSON")
        parser.add_argument("--visit", action="store_true", help="merge the files as one visit")
        parser.add_argument("--catalog", help="catalog folder (default: MADOGUCHI_CATALOG_DIR)")

    def handle(self, *args, **opts):
        from madoguchi.catalog.loader import CatalogError, load_catalog
        from madoguchi.rules import SituationError, determine, determine_visit

        try:
            catalog = load_catalog(opts.get("catalog"))
        except CatalogError as exc:
            raise CommandError(f"カタログに誤りがあります:\n{exc}", returncode=2) from exc
        situations = []
        for name in opts["files"]:
            try:
                situations.append(read_situation(name))
            except Exception as exc:  # OSError, JSON and YAML syntax errors
                raise CommandError(f"{name}: 読めません: {exc}", returncode=2) from exc
        results = []
        try:
            if opts["visit"]:
                results.append(determine_visit(situations, catalog))
            else:
                for name, s in zip(opts["files"], situations, strict=True):
                    try:
                        results.append(determine(s, catalog))
                    except SituationError as exc:
                        exc.source = name
                        raise
        except SituationError as exc:
            where = getattr(exc, "source", "")
            raise CommandError(
                f"{where + ': ' if where else ''}{exc.field}: {exc.message} ({exc.message_en})",
                returncode=2,
            ) from exc
        if opts["json"]:
            out = results[0] if len(results) == 1 else results
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        for r in results:
            self.stdout.write(render_text(r, catalog))


def render_text(result: dict, catalog) -> str:
    lines = [
        f"{'・'.join(result.get('events') or [result['event']])} {result['event_date']}"
        f"（カタログ {result['catalog']['municipality']} 版 {result['catalog']['version']}）"
    ]
    for p in result["procedures"]:
        dept = catalog.departments[p["department"]]
        who = ", ".join(p["persons"]) or "世帯"
        dl = f" 期限 {p['deadline']}" if p["deadline"] else ""
        lines.append(f"● {p['name']} [{p['id']}] {dept.name}（{dept.place}） 対象: {who}{dl}")
        for b in p["because"]:
            lines.append(f"    理由: {b}")
    lines.append(f"（対象外 {len(result['not_applicable'])} 件）")
    return "\n".join(lines)
