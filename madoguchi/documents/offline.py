"""Paper for the days the server is down: every form of the catalog blank, and the
procedure list of every life event, as a folder of PDFs (``madoguchi documents offline
OUTDIR``, run each night by a timer: docs/counter-pc.md).

Both come from the same catalog, forms and guide-sheet labels as the counter's bundles:
a blank form is the form's own layout with every bound value, member row and check mark
left empty; an event's procedure list is the guide sheet listing every procedure the
event can trigger (whatever the household), with department, place, deadline and what
to bring.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext as _

from madoguchi.documents.engine import Renderer, build_data
from madoguchi.documents.services import (
    _catalog_dir,
    _tr,
    build_guide,
    default_catalog,
    forms_of,
    guide_labels,
    municipality_of,
)

_DATE_PART = re.compile(r"\s*[（(]\{date\}[）)]")


def _event_procedures(catalog, event: str, on: dt.date) -> list[dict]:
    out = []
    for proc_id in catalog.procedures:
        proc = catalog.procedure(proc_id, on)
        if proc.in_force(on) and any(t.for_event(event) for t in proc.triggers):
            out.append(
                {"id": proc_id, "department": proc.department, "forms": list(proc.forms),
                 "persons": []}
            )  # fmt: skip
    return out


def procedure_list_pdf(catalog, event: str, on: dt.date, languages=("ja", "en")) -> bytes:
    cdir = _catalog_dir(catalog)
    situation = {"event": event, "event_date": on.isoformat(), "persons": []}
    result = {"procedures": _event_procedures(catalog, event, on)}
    labels = guide_labels(cdir)
    guide = build_guide(situation, result, catalog, labels, languages, on)
    for section in guide["languages"]:
        lang = section["lang"]
        fmt = _DATE_PART.sub("", section["labels"]["subtitle_format"])
        name = _tr(catalog.events.get(event), lang, "name") or event
        section["subtitle"] = fmt.format(event=name, date="")
        with translation.override(lang):
            section["labels"]["intro"] = _(
                "この届出で必要になることがある手続きの一覧です（世帯の状況により該当しない"
                "ものがあります）。●はワンストップ窓口で受け付ける手続き、○は下の「これからの"
                "手続き」の課で行う手続きです。"
            )
        for proc in section["procedures"]:
            proc["persons"] = ""  # any member of the household
    data = build_data(situation, {"procedures": []}, forms_of(cdir),
                      municipality_of(catalog), guide, on)[0]  # fmt: skip
    return Renderer.for_dir(cdir / "forms").compile(data)


def _blank(value):
    if isinstance(value, dict):
        return {k: ([] if k == "cells" else _blank(v)) if k != "scale" else v
                for k, v in value.items()}  # fmt: skip
    if isinstance(value, str):
        return ""
    return value


def blank_form_pdf(catalog, form_id: str, on: dt.date) -> bytes:
    cdir = _catalog_dir(catalog)
    forms = forms_of(cdir)
    form = forms[form_id]
    proc_id = form.procedures[0]
    proc = catalog.procedure(proc_id, on)
    event = next((e for t in proc.triggers for e in t.events), next(iter(catalog.events)))
    situation = {"event": event, "event_date": on.isoformat(),
                 "persons": [{"id": "p1", "relationship": "head"}]}  # fmt: skip
    result = {"procedures": [{"id": proc_id, "department": proc.department,
                              "forms": [form_id], "persons": ["p1"]}]}  # fmt: skip
    data = build_data(situation, result, {form_id: form}, municipality_of(catalog), None, on)[0]
    for doc in data["documents"]:
        doc["f"] = {k: _blank(v) for k, v in doc["f"].items()}
        doc["members"] = []
        doc["event"] = ""
        doc["procedures"] = []  # no kind of notification ticked
        doc["situation"] = {}
        doc["subject"] = {"id": "", "relationship": "", "sex": None, "flags": [], "nationality": ""}
    data["overflow"] = []
    return Renderer.for_dir(cdir / "forms").compile(data)


def write_offline(outdir: str | Path, catalog=None, on: dt.date | None = None) -> list[Path]:
    """Write ``procedures-<event>.pdf`` for every event and ``form-<id>.pdf`` for every
    form into ``outdir``; returns the files written."""
    catalog = catalog or default_catalog()
    on = on or dt.date.today()
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for event in catalog.events:
        path = out / f"procedures-{event}.pdf"
        path.write_bytes(procedure_list_pdf(catalog, event, on))
        written.append(path)
    for form_id in forms_of(_catalog_dir(catalog)):
        path = out / f"form-{form_id}.pdf"
        path.write_bytes(blank_form_pdf(catalog, form_id, on))
        written.append(path)
    return written
