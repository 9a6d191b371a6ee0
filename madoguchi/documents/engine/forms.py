"""Form specs: ``form.yaml`` loaded and checked."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from madoguchi.catalog.forms import MEMBER_SOURCES
from madoguchi.documents.engine.formats import FORMATS, DocumentError


@dataclass
class FormSpec:
    id: str
    name: str
    per: str
    procedures: list[str]
    fields: list[dict]
    members: dict | None
    path: Path
    raw: dict = field(repr=False, default_factory=dict)


def _yaml(path: Path) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DocumentError(str(path), f"invalid YAML: {exc}") from exc


def load_form(path: Path, field_sets: dict | None = None) -> FormSpec:
    """Read and check one ``form.yaml``; errors name the file and the key. Field sets
    named under ``field_sets:`` come from ``forms/_lib/fields.yaml``."""
    raw = _yaml(path)
    where = f"{path.parent.name}/form.yaml"
    field_sets = field_sets or {}
    fields_own = list(raw.get("fields") or [])
    fields = []
    for name in raw.get("field_sets") or []:
        if name not in field_sets:
            raise DocumentError(f"{where}:field_sets", f"no field set {name!r} in _lib/fields.yaml")
        fields += [f for f in field_sets[name] if f["id"] not in {g["id"] for g in fields_own}]
    fields += fields_own
    omit = set(raw.get("omit") or [])  # set fields this form does not print
    fields = [f for f in fields if f["id"] not in omit]
    members = raw.get("members")
    if members is not None:
        members = dict(members)
        if "fields" not in members:
            members["fields"] = list(field_sets.get("member") or [])
        if members.get("from", "persons") not in MEMBER_SOURCES:
            raise DocumentError(f"{where}:members.from", f"one of {', '.join(MEMBER_SOURCES)}")
    for key in ("id", "name", "per", "procedures"):
        if key not in raw:
            raise DocumentError(f"{where}:{key}", "missing")
    if raw["id"] != path.parent.name:
        raise DocumentError(f"{where}:id", f"must equal the folder name {path.parent.name!r}")
    if raw["per"] not in ("person", "household"):
        raise DocumentError(f"{where}:per", "must be person or household")
    if not (path.parent / "template.typ").exists():
        raise DocumentError(f"{path.parent.name}/template.typ", "missing")
    for i, f in enumerate(fields + list((members or {}).get("fields") or [])):
        if "id" not in f or ("from" not in f and "value" not in f):
            raise DocumentError(f"{where}:fields[{i}]", "needs id and from (or value)")
        if f.get("format", "text") not in FORMATS:
            raise DocumentError(f"{where}:fields[{f['id']}].format", f"unknown {f['format']!r}")
    return FormSpec(
        id=raw["id"],
        name=raw["name"],
        per=raw["per"],
        procedures=list(raw["procedures"]),
        fields=fields,
        members=members,
        path=path.parent,
        raw=raw,
    )


def load_forms(forms_dir: Path) -> dict[str, FormSpec]:
    sets_path = forms_dir / "_lib" / "fields.yaml"
    field_sets = _yaml(sets_path) if sets_path.exists() else {}
    return {p.parent.name: load_form(p, field_sets) for p in sorted(forms_dir.glob("*/form.yaml"))}
