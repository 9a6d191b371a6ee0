"""A mapping file (YAML): which column fills which ``Person`` field, checked on load."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from madoguchi.core import yamlsafe
from madoguchi.register.importer.results import MappingError
from madoguchi.register.importer.values import _norm_code
from madoguchi.register.models import Person
from madoguchi.rules.facts import FLAGS

MAPPINGS_DIR = Path(__file__).resolve().parent.parent / "mappings"

# Fields every mapping must fill (directly or via another mapped field).
REQUIRED = ("atena_no", "household_no", "name", "birth_date", "sex")
# Fields a mapping may not name (filled by the importer itself).
COMPUTED = {
    "id",
    "household",
    "name_key",
    "kana_key",
    "alt_name_key",
    "given_key",
    "given_kana_key",
    "import_digest",
    "imported_at",
    "updated_at",
    "relationship_role",
}
# Person.flags holds only the flag names of the situation contract (situation.md).
SITUATION_FLAGS = frozenset(FLAGS)

_MODEL_FIELDS = {f.name: f for f in Person._meta.concrete_fields}
_TYPES = {"text", "name", "digits", "code", "date", "bool", "int", "period", "country"}

# The keys each part of a mapping may hold (docs/register-import.md, "Mapping files"). Any
# other key is refused on load: a misspelt key silently ignored changes what is imported.
TOP_KEYS = frozenset(
    {
        "name",
        "encoding",
        "municipality_code",
        "current_row",
        "skip_rows",
        "eras",
        "relationship_codes",
        "fields",
        "flags",
    }
)
CURRENT_ROW_KEYS = frozenset({"latest_flag", "latest_values", "history"})
FIELD_KEYS = frozenset(
    {
        "column",
        "columns",
        "type",
        "join",
        "codes",
        "unknown",
        "true",
        "false",
        "zfill",
        "halfwidth_digits",
        "era_column",
        "required",
        "value",
    }
)
FLAG_KEYS = frozenset({"column", "true", "false"})
# ``address``: one column holding 都道府県 + 市区町村 + 町字, split into those three fields
# (importer/address.py) — by the postal-code dictionary, or by the ``prefix`` it names.
ADDRESS_KEYS = frozenset({"column", "type", "prefix", "halfwidth_digits", "required"})
ADDRESS_PARTS = ("prefecture", "city", "town")


def _keys(spec: dict, allowed: frozenset, where: str) -> dict:
    """``spec`` with its keys checked against ``allowed``. YAML 1.1 (PyYAML) reads an
    unquoted ``true:`` / ``false:`` key as a boolean, so ``{type: bool, true: nonblank}`` —
    as the docs write it — arrives as ``{True: "nonblank"}``: such keys mean the words."""
    out = {}
    for key, value in spec.items():
        if key is True or key is False:
            key = "true" if key else "false"
        if key not in allowed:
            raise MappingError(
                f"{where}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})"
            )
        out[key] = value
    return out


@dataclass
class FieldSpec:
    name: str
    type: str
    columns: list[str]
    join: str = ""
    codes: dict[str, str] | None = None
    unknown: str = "error"
    true: set[str] | None = None
    false: set[str] | None = None
    true_if_nonblank: bool = False
    zfill: int = 0
    halfwidth_digits: bool = False
    era_column: str | None = None
    required: bool = False
    default: Any = None
    prefix: tuple[str, str] | None = None  # address: (都道府県, 市区町村) every address begins with
    postal_column: str | None = None  # address: the row's postal code, for the dictionary


def _default_type(model_field) -> str:
    internal = model_field.get_internal_type()
    if internal == "DateField":
        return "date"
    if internal == "BooleanField":
        return "bool"
    if internal in ("PositiveIntegerField", "IntegerField"):
        return "int"
    if model_field.name in ("name", "surname", "given_name", "alt_name", "name_kana"):
        return "name"
    return "text"


class Mapping:
    """A loaded, validated mapping file."""

    def __init__(self, data: dict, source: str = "<mapping>"):
        if not isinstance(data, dict):
            raise MappingError(f"{source}: a mapping is a YAML mapping")
        self.source = source
        data = _keys(data, TOP_KEYS, source)
        self.name = str(data.get("name", source))
        self.encoding = str(data.get("encoding", "auto")).lower()
        if self.encoding not in ("auto", "utf-8", "utf-8-sig", "cp932", "shift_jis"):
            raise MappingError(f"{source}: encoding must be auto, utf-8 or cp932")
        self.municipality_code = str(data.get("municipality_code", "999999"))
        self.eras = {_norm_code(str(k)): str(v) for k, v in (data.get("eras") or {}).items()}
        if not self.eras:
            from madoguchi.core.wareki import ERAS

            self.eras = {str(e.code): e.name for e in ERAS}
        self.relationship_codes = {
            _norm_code(str(k)): str(v) for k, v in (data.get("relationship_codes") or {}).items()
        }
        current = _keys(data.get("current_row") or {}, CURRENT_ROW_KEYS, f"{source}: current_row")
        self.latest_flag_column = current.get("latest_flag")
        self.latest_flag_true = {str(v) for v in current.get("latest_values", ["1"])}
        self.history_column = current.get("history")
        self.skip_rows = [
            (str(rule["column"]), {str(v) for v in _as_list(rule["values"])})
            for rule in (data.get("skip_rows") or [])
        ]
        self.fields: dict[str, FieldSpec] = {}
        for name, spec in (data.get("fields") or {}).items():
            self.fields[name] = self._field(name, spec)
        self.flags: dict[str, FieldSpec] = {}
        for name, spec in (data.get("flags") or {}).items():
            self.flags[name] = self._flag(name, spec)
        if "address" in self.fields:
            both = [f for f in ADDRESS_PARTS if f in self.fields]
            if both:
                raise MappingError(
                    f"{source}: field 'address' fills prefecture, city and town; "
                    f"do not map {', '.join(both)} as well"
                )
            postal = self.fields.get("postal_code")
            if postal and postal.columns:
                self.fields["address"].postal_column = postal.columns[0]
        for name in REQUIRED:
            if name not in self.fields:
                raise MappingError(f"{source}: field '{name}' is required")
        if "relationship" not in self.fields and not (
            "relationship_code" in self.fields and self.relationship_codes
        ):
            raise MappingError(
                f"{source}: map 'relationship' or 'relationship_code' with relationship_codes"
            )

    @classmethod
    def load(cls, path: str | Path) -> Mapping:
        p = Path(path)
        if not p.exists() and (MAPPINGS_DIR / p).exists():
            p = MAPPINGS_DIR / p
        if not p.exists() and (MAPPINGS_DIR / f"{p}.yaml").exists():
            p = MAPPINGS_DIR / f"{p}.yaml"
        try:
            data = yamlsafe.load(p.read_text(encoding="utf-8"))  # refuses alias bombs
        except OSError as exc:
            raise MappingError(f"{path}: cannot read mapping ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise MappingError(f"{path}: not valid YAML ({exc})") from exc
        return cls(data, source=str(p))

    def _field(self, name: str, spec: Any) -> FieldSpec:
        if name == "address":
            return self._address(spec)
        if name not in _MODEL_FIELDS and name != "household_no":
            raise MappingError(f"{self.source}: unknown field '{name}'")
        if name in COMPUTED:
            raise MappingError(f"{self.source}: field '{name}' is computed, not mapped")
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict):
            raise MappingError(f"{self.source}: field '{name}': give a column or a mapping")
        spec = _keys(spec, FIELD_KEYS, f"{self.source}: field '{name}'")
        model_field = _MODEL_FIELDS.get(name)
        default_type = "digits" if name == "household_no" else _default_type(model_field)
        ftype = spec.get("type", default_type)
        if ftype not in _TYPES:
            raise MappingError(f"{self.source}: field '{name}': unknown type '{ftype}'")
        columns = _as_list(spec.get("columns", spec.get("column")))
        if not columns and "value" not in spec:
            raise MappingError(f"{self.source}: field '{name}': no column")
        codes = spec.get("codes")
        if ftype == "code" and not isinstance(codes, dict):
            raise MappingError(f"{self.source}: field '{name}': type code needs codes")
        unknown = spec.get("unknown", "error")
        if unknown not in ("error", "blank", "keep"):
            raise MappingError(f"{self.source}: field '{name}': unknown must be error|blank|keep")
        true = spec.get("true", ["1"])
        return FieldSpec(
            name=name,
            type=ftype,
            columns=[str(c) for c in columns],
            join=str(spec.get("join", "")),
            codes={_norm_code(str(k)): "" if v is None else str(v) for k, v in codes.items()}
            if codes
            else None,
            unknown=unknown,
            true_if_nonblank=true == "nonblank",
            true=None if true == "nonblank" else {str(v) for v in _as_list(true)},
            false={str(v) for v in _as_list(spec.get("false", ["0", ""]))},
            zfill=int(spec.get("zfill", 0)),
            halfwidth_digits=bool(spec.get("halfwidth_digits", False)),
            era_column=spec.get("era_column"),
            required=name in REQUIRED or bool(spec.get("required", False)),
            default=spec.get("value"),
        )

    def _address(self, spec: Any) -> FieldSpec:
        where = f"{self.source}: field 'address'"
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict):
            raise MappingError(f"{where}: give a column or a mapping")
        spec = _keys(spec, ADDRESS_KEYS, where)
        if spec.get("type", "address") != "address":
            raise MappingError(f"{where}: the type of 'address' is address")
        if not isinstance(spec.get("column"), str) or not spec["column"]:
            raise MappingError(f"{where}: give the one column that holds the address")
        prefix = spec.get("prefix")
        if prefix is not None:
            from madoguchi.register.importer.address import prefectures

            if not isinstance(prefix, dict):
                raise MappingError(f"{where}: prefix is {{prefecture: …, city: …}}")
            prefix = _keys(prefix, frozenset({"prefecture", "city"}), f"{where}: prefix")
            pref, city = str(prefix.get("prefecture") or ""), str(prefix.get("city") or "")
            if pref not in prefectures():
                raise MappingError(f"{where}: prefix: '{pref}' is not a 都道府県")
            if not city:
                raise MappingError(f"{where}: prefix: give the city (市区町村)")
            prefix = (pref, city)
        return FieldSpec(
            name="address",
            type="address",
            columns=[spec["column"]],
            halfwidth_digits=bool(spec.get("halfwidth_digits", False)),
            required=bool(spec.get("required", False)),
            prefix=prefix,
        )

    def _flag(self, name: str, spec: Any) -> FieldSpec:
        if name not in SITUATION_FLAGS:
            raise MappingError(f"{self.source}: unknown flag '{name}' (see situation.md)")
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict) or "column" not in spec:
            raise MappingError(f"{self.source}: flag '{name}': give a column")
        spec = _keys(spec, FLAG_KEYS, f"{self.source}: flag '{name}'")
        true = spec.get("true", ["1"])
        return FieldSpec(
            name=name,
            type="bool",
            columns=[str(spec["column"])],
            true_if_nonblank=true == "nonblank",
            true=None if true == "nonblank" else {str(v) for v in _as_list(true)},
            false={str(v) for v in _as_list(spec.get("false", ["0", ""]))},
        )

    def columns(self) -> set[str]:
        cols: set[str] = set()
        for spec in [*self.fields.values(), *self.flags.values()]:
            cols.update(spec.columns)
            for extra in (spec.era_column, spec.postal_column):
                if extra:
                    cols.add(extra)
        for col, _ in self.skip_rows:
            cols.add(col)
        for col in (self.latest_flag_column, self.history_column):
            if col:
                cols.add(col)
        return cols


def _as_list(value) -> list:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
