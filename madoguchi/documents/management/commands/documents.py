"""``madoguchi documents render SITUATION --out FILE.pdf``: the bundle of a situation.

SITUATION is a situation file (YAML or JSON, ``-`` for stdin) as in situation.md — or a
list of situations for a visit of several events; its persons may carry a ``register:``
block (docs/documents.md) with the fields to print.
The procedures come from ``determine`` against the catalog in force; the PDF holds every
applicable form, the 超過リスト when a value did not fit, and the guide sheet.
Exit 2 with a message naming the field for an invalid situation or register block.

``madoguchi documents forms`` lists the catalog's forms and the procedures they serve.
``madoguchi documents offline OUTDIR`` writes every form blank and every event's
procedure list as PDFs, for paper work while the server is down.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand, CommandError

from madoguchi.core import yamlsafe


class _Loader(yaml.SafeLoader):
    """Dates stay text, so that ``determine`` names the field of an impossible date."""


_Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: node.value)


def _applicant(text: str | None) -> dict | None:
    """--applicant p2 (a person of the situation) or a YAML mapping (someone from outside)."""
    if not text:
        return None
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CommandError(f"--applicant: {exc}", returncode=2) from exc
    return value if isinstance(value, dict) else {"person": str(text)}


class Command(BaseCommand):
    help = "Forms and bundles: render a situation's bundle to PDF, list the forms."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        render = sub.add_parser("render", help="render the bundle of a situation to PDF")
        render.add_argument("situation", help="situation file (YAML or JSON), - for stdin")
        render.add_argument("--out", required=True, help="PDF file to write")
        render.add_argument(
            "--lang",
            default="ja",
            help="guide-sheet languages, comma separated (ja,en adds English)",
        )
        render.add_argument(
            "--date", help="届出日 printed on the forms (YYYY-MM-DD; default today)"
        )
        render.add_argument(
            "--applicant",
            help="the person at the counter (届出人・申請者): a person id of the situation, "
            "or YAML for someone from outside: '{name: 網走　三郎, relationship: 代理人}'",
        )
        sub.add_parser("forms", help="list the catalog's forms")
        off = sub.add_parser(
            "offline",
            help="blank forms and every event's procedure list as PDFs, for paper work "
            "while the server is down (docs/counter-pc.md)",
        )
        off.add_argument("outdir", help="folder to write the PDFs into (created)")

    def handle(self, *args, **opts):
        from madoguchi.documents.engine import DocumentError
        from madoguchi.documents.services import default_catalog, forms_of, render_bundle
        from madoguchi.rules import SituationError, determine, determine_visit

        catalog = default_catalog()
        if opts["action"] == "offline":
            from madoguchi.documents.offline import write_offline

            files = write_offline(opts["outdir"], catalog)
            self.stdout.write(f"{opts['outdir']}: {len(files)} PDF files")
            return
        if opts["action"] == "forms":
            from madoguchi.documents.services import _catalog_dir

            for form in forms_of(_catalog_dir(catalog)).values():
                self.stdout.write(
                    f"{form.id}\t{form.name}\t{form.per}\t{','.join(form.procedures)}"
                )
            return
        src = opts["situation"]
        try:
            text = sys.stdin.read() if src == "-" else Path(src).read_text(encoding="utf-8")
            situation = yamlsafe.load(text, _Loader)  # refuses alias bombs
        except (OSError, yaml.YAMLError) as exc:
            raise CommandError(f"{src}: {exc}", returncode=2) from exc
        visit = isinstance(situation, list) and all(isinstance(x, dict) for x in situation)
        if not (isinstance(situation, dict) or (visit and situation)):
            raise CommandError(
                f"{src}: a situation is a mapping (event, event_date, persons), "
                "or a list of them for a visit of several events",
                returncode=2,
            )
        notified_on = None
        if opts.get("date"):
            try:
                notified_on = dt.date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError(f"--date: not a date: {opts['date']}", returncode=2) from exc
        try:
            if isinstance(situation, list):
                result = determine_visit(situation, catalog)
            else:
                result = determine(situation, catalog)
            bundle = render_bundle(
                situation,
                result,
                catalog,
                languages=tuple(x for x in opts["lang"].split(",") if x),
                notified_on=notified_on,
                applicant=_applicant(opts.get("applicant")),
            )
        except (SituationError, DocumentError) as exc:
            raise CommandError(str(exc), returncode=2) from exc
        Path(opts["out"]).write_bytes(bundle.pdf)
        forms = ", ".join(f"{d['name']}" for d in bundle.documents)
        self.stdout.write(
            f"{opts['out']}: {bundle.pages} pages ({forms}; guide sheet {opts['lang']}); "
            f"handwritten characters saved: {bundle.handwritten_chars}; "
            f"overflow: {len(bundle.overflow)}"
        )
