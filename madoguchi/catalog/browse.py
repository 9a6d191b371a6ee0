"""Read-only view model of the catalog browser: procedures by event, department and id,
with their rules in generated Japanese and the example/scenario situations that trigger them."""

from __future__ import annotations

import functools
from datetime import date
from pathlib import Path

import yaml
from django.utils.translation import gettext as _

from madoguchi.catalog.templatetags.data_i18n import english_ui, translated
from madoguchi.rules.explain import trigger_text

REPO = Path(__file__).resolve().parents[2]
SCENARIO_DIR = REPO / "madoguchi" / "rules" / "tests" / "scenarios"


def examples_dir() -> Path:
    """The worked examples shipped with the rules (situations + expected results)."""
    return REPO / "madoguchi" / "rules" / "examples"


@functools.cache
def _sample_situations() -> list[tuple[str, list[dict]]]:
    """(title, situations) of the worked examples and the scenario tests, if present."""
    out: list[tuple[str, list[dict]]] = []
    ex = examples_dir()
    if ex.is_dir():
        for path in sorted(ex.glob("*.situation.yaml")):
            out.append(
                (("example", path.name.split(".")[0]), [yaml.safe_load(path.read_text("utf-8"))])
            )
    if SCENARIO_DIR.is_dir():
        for path in sorted(SCENARIO_DIR.glob("*.yaml")):
            for sc in yaml.safe_load(path.read_text("utf-8")).get("scenarios", []):
                sits = [sc["situation"]] if "situation" in sc else sc.get("visit", [])
                out.append((("scenario", sc["name"]), sits))
    return out


def _title(key: tuple[str, str]) -> str:
    """The sample's title in the request's language (the cache keeps only the key)."""
    kind, name = key
    return (_("例: %(name)s") if kind == "example" else _("シナリオ: %(name)s")) % {"name": name}


def triggering_situations(catalog, proc_id: str, limit: int = 12) -> list[dict]:
    from madoguchi.rules import SituationError, determine, determine_visit

    found = []
    for title, sits in _sample_situations():
        try:
            result = (
                determine(sits[0], catalog) if len(sits) == 1 else determine_visit(sits, catalog)
            )
        except SituationError:
            continue
        for p in result["procedures"]:
            if p["id"] == proc_id:
                found.append(
                    {"title": _title(title), "persons": p["persons"], "because": p["because"]}
                )
        if len(found) >= limit:
            break
    return found


def procedure_rows(catalog, on: date, event: str | None = None, department: str | None = None):
    view = catalog.at(on)
    rows = []
    for proc in view.procedures:
        if department and proc.department != department:
            continue
        triggers = [t for t in proc.triggers if event is None or t.for_event(event)]
        if not triggers:
            continue
        rows.append(
            {
                "proc": proc,
                "dept": catalog.departments.get(proc.department),
                "triggers": [
                    {
                        "events": [
                            translated(catalog.events[e], "name")
                            for e in t.events
                            if e in catalog.events
                        ]
                        or [_("すべての届出")],
                        "name": (t.en_name if english_ui() else None) or t.name,
                        "conditions": trigger_text(t, view.conditions, view.value_names),
                    }
                    for t in triggers
                ],
            }
        )
    return rows
