"""Writing the catalog in force on a date back in the same YAML layout, and its canonical
form for round-trip checks."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from madoguchi.catalog.model import Catalog

from .yamlio import dump, plain


def _filter_in_force(items: list, on: date, since: date) -> list:
    """The versions in force on ``on``, each starting no earlier than ``since`` (the
    snapshot's version date: an item older than a condition it uses must not claim days
    on which that condition's version is not part of the snapshot)."""
    out = []
    for item in items:
        vf, vt = item.get("valid_from"), item.get("valid_to")
        if vf is not None and (vf > on or (vt is not None and vt < on)):
            continue
        if vf is not None and vf < since:
            item = {**item, "valid_from": since}
        out.append(item)
    return out


def _in_force(data: dict, on: date, since: date) -> None:
    """Keep the versions in force on ``on``: procedures, conditions, parameters and each
    event's advance window (events.yaml ``advance_window_days``)."""
    for key in ("procedures", "conditions", "parameters"):
        if isinstance(data.get(key), list):
            data[key] = _filter_in_force(data[key], on, since)
    for event in data.get("events") or []:
        if isinstance(event, dict) and isinstance(event.get("advance_window_days"), list):
            event["advance_window_days"] = _filter_in_force(event["advance_window_days"], on, since)


def export_catalog(catalog: Catalog, out: str | Path, on: date | None = None) -> list[Path]:
    """Write the catalog in force on ``on`` (default today) in the same YAML layout."""
    on = on or date.today()
    since = date.fromisoformat(catalog.at(on).version)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for rel, data in catalog.files.items():
        if data is None:
            continue
        data = plain(data)
        if isinstance(data, dict):
            _in_force(data, on, since)
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        header = (
            f"# {catalog.name} カタログ（{on.isoformat()} に有効な版） — madoguchi catalog export\n"
        )
        target.write_text(header + dump(data), encoding="utf-8")
        written.append(target)
    from madoguchi.catalog import extensions

    folders = ["forms"] + [f for ext in extensions.registered() for f in ext.folders]
    for folder in folders:
        src = catalog.path / folder
        if src.is_dir() and src.resolve() != (out / folder).resolve():
            shutil.copytree(src, out / folder, dirs_exist_ok=True)
    return written


def canonical(catalog: Catalog, on: date | None = None) -> dict:
    """A comparable, plain form of the catalog in force (for round-trip checks)."""
    on = on or date.today()
    since = date.fromisoformat(catalog.at(on).version)
    result = {}
    for rel, data in catalog.files.items():
        data = plain(data)
        if isinstance(data, dict):
            _in_force(data, on, since)
        result[rel] = data
    result["forms"] = sorted(catalog.forms)
    return result
