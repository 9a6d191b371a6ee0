"""Import the resident register from a municipality's CSV export through a mapping file.

A mapping (YAML, see ``mappings/mado-sample.yaml`` and docs/register-import.md) ties each
``Person`` field to a column or columns and maps code values, so another municipality's
export needs a new mapping, not new code.

The import is all-or-nothing: every row is checked, every bad row is reported with its
line number, column and reason, and a file with any bad row writes nothing. Rows are
read as a stream and written in batches inside one transaction; a re-import updates
persons in place by 宛名番号 and leaves unchanged rows alone (by digest).

Names are stored exactly as the file holds them: digits are normalised (full-width →
half-width) only in numeric, code and date fields, never in names.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import json
import operator
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from django.db import connection, transaction
from django.utils import timezone

from madoguchi.core.text import given_part
from madoguchi.register.models import Household, Person, Relationship, ResidentKind
from madoguchi.rules.facts import FLAGS

MAPPINGS_DIR = Path(__file__).resolve().parent / "mappings"
PROGRESS_EVERY = 50_000
BATCH_SIZE = 5_000

FULLWIDTH_DIGITS = str.maketrans(
    "０１２３４５６７８９－／．　", "0123456789-/. "
)  # digits and the separators of dates and codes; used on numeric/date/code fields only

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


class MappingError(Exception):
    """The mapping file itself is wrong (unknown field, bad type …)."""


class FieldError(Exception):
    def __init__(self, column: str, reason: str):
        super().__init__(reason)
        self.column = column
        self.reason = reason


@dataclass
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "reason": self.reason}

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}"


@dataclass
class ImportResult:
    file: str
    mapping: str
    dry_run: bool = False
    encoding: str = ""
    rows_read: int = 0
    rows_skipped: int = 0  # history rows, deleted rows
    persons_imported: int = 0
    persons_updated: int = 0
    persons_unchanged: int = 0
    households_imported: int = 0
    households_updated: int = 0
    households_unchanged: int = 0
    pending_resolved: int = 0  # pending move-ins found in the register and removed
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)

    @property
    def rejected(self) -> bool:
        return bool(self.errors)

    @property
    def rows_rejected(self) -> int:
        return len({e.line for e in self.errors})

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "mapping": self.mapping,
            "dry_run": self.dry_run,
            "encoding": self.encoding,
            "status": "rejected" if self.rejected else ("checked" if self.dry_run else "imported"),
            "rows": {"read": self.rows_read, "skipped": self.rows_skipped},
            "persons": {
                "imported": self.persons_imported,
                "updated": self.persons_updated,
                "unchanged": self.persons_unchanged,
                "rejected": self.rows_rejected,
            },
            "households": {
                "imported": self.households_imported,
                "updated": self.households_updated,
                "unchanged": self.households_unchanged,
            },
            "pending_resolved": self.pending_resolved,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


# ---------------------------------------------------------------------------- values


def fold_digits(text: str) -> str:
    return text.translate(FULLWIDTH_DIGITS).strip()


_UNDECODABLE = re.compile("[\udc80-\udcff]")  # bytes surrogateescape could not decode
_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")


def parse_date(text: str) -> dt.date:
    """ISO (YYYY-MM-DD), YYYY/MM/DD, YYYYMMDD or a 和暦 date; full-width digits allowed."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii():
        try:
            return dt.date(int(text[:4]), int(text[5:7]), int(text[8:]))
        except ValueError:
            pass  # reported below with the generic message
    value = fold_digits(text)
    m = _DATE_RE.match(value)
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        if len(value) == 8 and value.isdigit():
            return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise ValueError("存在しない日付です") from exc
    from madoguchi.core.wareki import parse_wareki

    try:
        return parse_wareki(value)
    except Exception as exc:
        raise ValueError("日付として読めません（YYYY-MM-DD・YYYYMMDD・和暦）") from exc


@lru_cache(maxsize=1)
def _eras_by_name() -> dict:
    from madoguchi.core.wareki import ERAS

    return {e.name: e for e in ERAS}


def date_in_era(date: dt.date, era: str) -> bool:
    """True when ``date`` lies in ``era`` (both eras count on a day they share)."""
    e = _eras_by_name().get(era)
    return e is not None and e.contains(date)


@lru_cache(maxsize=65536)
def _name_key(name: str) -> str:
    from madoguchi.core.text import name_key

    return name_key(name)


@lru_cache(maxsize=65536)
def _kana_key(kana: str) -> str:
    from madoguchi.core.text import kana_key

    return kana_key(kana)


_ROLE_BY_TOKEN = {
    "世帯主": Relationship.HEAD,
    "夫": Relationship.SPOUSE,
    "妻": Relationship.SPOUSE,
    "夫（未届）": Relationship.SPOUSE,
    "妻（未届）": Relationship.SPOUSE,
    "子": Relationship.CHILD,
    "父": Relationship.PARENT,
    "母": Relationship.PARENT,
    "兄": Relationship.SIBLING,
    "姉": Relationship.SIBLING,
    "弟": Relationship.SIBLING,
    "妹": Relationship.SIBLING,
    "縁故者": Relationship.RELATIVE,
    "同居人": Relationship.COHABITANT,
}
# Adopted children and the like keep the role of the base token.
_ROLE_SUFFIXES = ("（養子）", "（養女）", "（養父）", "（養母）")


@lru_cache(maxsize=1024)
def relationship_role(text: str) -> str:
    """The situation contract's relationship for a 続柄 (子の妻 → relative)."""
    text = text.strip()
    for suffix in _ROLE_SUFFIXES:
        text = text.removesuffix(suffix)
    if text.startswith("養"):
        text = text[1:]
    if "の" in text:
        return Relationship.RELATIVE.value
    role = _ROLE_BY_TOKEN.get(text)
    if role is None:
        raise ValueError(f"続柄「{text}」を区分できません")
    return role.value


def _norm_code(value: str) -> str:
    """Code comparison ignores leading zeros of numeric codes (2 == 02)."""
    v = fold_digits(value)
    return v.lstrip("0") or ("0" if v else "") if v.isdigit() else v


# ---------------------------------------------------------------------------- mapping

_MODEL_FIELDS = {f.name: f for f in Person._meta.concrete_fields}
_TYPES = {"text", "name", "digits", "code", "date", "bool", "int", "period"}


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
        current = data.get("current_row") or {}
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
            data = yaml.safe_load(p.read_text(encoding="utf-8"))
        except OSError as exc:
            raise MappingError(f"{path}: cannot read mapping ({exc.strerror})") from exc
        except yaml.YAMLError as exc:
            raise MappingError(f"{path}: not valid YAML ({exc})") from exc
        return cls(data, source=str(p))

    def _field(self, name: str, spec: Any) -> FieldSpec:
        if name not in _MODEL_FIELDS and name != "household_no":
            raise MappingError(f"{self.source}: unknown field '{name}'")
        if name in COMPUTED:
            raise MappingError(f"{self.source}: field '{name}' is computed, not mapped")
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict):
            raise MappingError(f"{self.source}: field '{name}': give a column or a mapping")
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

    def _flag(self, name: str, spec: Any) -> FieldSpec:
        if name not in SITUATION_FLAGS:
            raise MappingError(f"{self.source}: unknown flag '{name}' (see situation.md)")
        if isinstance(spec, str):
            spec = {"column": spec}
        if not isinstance(spec, dict) or "column" not in spec:
            raise MappingError(f"{self.source}: flag '{name}': give a column")
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
            if spec.era_column:
                cols.add(spec.era_column)
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


# ---------------------------------------------------------------------------- conversion


def _converter(spec: FieldSpec, index: dict[str, int], eras: dict[str, str]):
    """A function row -> value for one field (raises FieldError). Hot path: one call per
    field per row, so each type gets its own small closure."""
    idxs = [index[c] for c in spec.columns]
    col = spec.columns[0] if spec.columns else spec.name
    ftype = spec.type
    required = spec.required
    join = spec.join

    if not idxs:
        constant = "" if spec.default is None else str(spec.default)

        def raw(row):
            return constant

    elif len(idxs) == 1:
        raw = operator.itemgetter(idxs[0])
    elif ftype == "name":

        def raw(row):
            return join.join(row[i] for i in idxs if row[i])

    else:

        def raw(row):
            return join.join(v for v in (row[i].strip() for i in idxs) if v)

    if ftype == "name":

        def conv(row):
            value = raw(row)  # exactly as registered
            if required and not value.strip():
                raise FieldError(col, "必須項目が空です")
            return value

    elif ftype == "text":
        hw = spec.halfwidth_digits

        def conv(row):
            value = raw(row)
            if value:
                value = value.strip()
                if hw:
                    value = value.translate(FULLWIDTH_DIGITS)
            if required and not value:
                raise FieldError(col, "必須項目が空です")
            return value

    elif ftype in ("digits", "int"):
        width = spec.zfill
        as_int = ftype == "int"

        def conv(row):
            value = raw(row)
            if value and not (value.isascii() and value.isdigit()):
                value = value.translate(FULLWIDTH_DIGITS).replace("-", "").replace(" ", "")
                if value and not (value.isascii() and value.isdigit()):
                    raise FieldError(col, f"数字ではありません: '{value}'")
            if not value:
                if required:
                    raise FieldError(col, "必須項目が空です")
                return None if as_int else ""
            if as_int:
                return int(value)
            return value.zfill(width) if width else value

    elif ftype == "code":
        codes = spec.codes or {}
        unknown = spec.unknown

        def conv(row):
            text = raw(row)
            result = codes.get(text) if text else ""
            if result is None:
                value = _norm_code(text)
                if value in codes:
                    result = codes[value]
                elif not value or unknown == "blank":
                    result = ""
                elif unknown == "keep":
                    result = value
                else:
                    raise FieldError(col, f"未定義のコードです: '{value}'")
            if required and not result:
                raise FieldError(col, "必須項目が空です")
            return result

    elif ftype == "date":
        era_idx = index[spec.era_column] if spec.era_column else None
        era_col = spec.era_column

        def conv(row):
            text = raw(row)
            if not text or not text.strip():
                if required:
                    raise FieldError(col, "必須項目が空です")
                return None
            try:
                value = parse_date(text)
            except ValueError as exc:
                raise FieldError(col, str(exc)) from None
            if era_idx is None:
                return value
            code = row[era_idx]
            if code:
                era = eras.get(code) or eras.get(_norm_code(code))
                if era is None:
                    raise FieldError(era_col, f"未定義の元号コードです: '{code}'")
                if not date_in_era(value, era):
                    raise FieldError(col, f"{era}の期間外の日付です")
                return value, era
            return value, ""

    elif ftype == "bool":
        true, false, nonblank = spec.true, spec.false, spec.true_if_nonblank

        def conv(row):
            value = raw(row)
            if nonblank:
                value = fold_digits(value)
                return bool(value) and value not in false
            if value in true:
                return True
            if value in false:
                return False
            value = fold_digits(value)
            if value in true:
                return True
            if value in false:
                return False
            raise FieldError(col, f"フラグの値が不正です: '{value}'")

    elif ftype == "period":
        units = "年月日"

        def conv(row):
            parts = []
            for n, i in enumerate(idxs):
                value = fold_digits(row[i])
                if value and not value.isdigit():
                    raise FieldError(spec.columns[n], f"数字ではありません: '{value}'")
                if value and int(value):
                    parts.append(f"{int(value)}{units[n] if n < 3 else ''}")
            return "".join(parts)

    else:  # pragma: no cover - guarded by Mapping
        raise MappingError(f"unknown type {ftype}")
    return conv


class RowConverter:
    """Turns a CSV row into the values of one Person (plus its household number)."""

    def __init__(self, mapping: Mapping, header: list[str], *, pending: bool = False):
        self.mapping = mapping
        self.pending = pending
        self.header = [h.strip().lstrip("\ufeff") for h in header]
        index = {}
        for i, name in enumerate(header):
            index.setdefault(name.strip().lstrip("\ufeff"), i)
        missing = sorted(c for c in mapping.columns() if c not in index)
        self.missing_columns = missing
        if missing:
            return
        self.index = index
        self.width = len(header)
        self.convs = [(s, _converter(s, index, mapping.eras)) for s in mapping.fields.values()]
        self.flag_convs = [(s, _converter(s, index, mapping.eras)) for s in mapping.flags.values()]
        # (field, converter, era target) — the era target is set for dates read with a 元号
        self.plain = [
            (
                spec.name,
                conv,
                ("birth_era" if spec.name == "birth_date" else "_") if spec.era_column else "",
            )
            for spec, conv in self.convs
        ]
        self.skip = [(index[c], values) for c, values in mapping.skip_rows]
        self.latest_idx = index.get(mapping.latest_flag_column) if mapping else None
        self.history_idx = index.get(mapping.history_column) if mapping.history_column else None
        self.atena_idx = index[mapping.fields["atena_no"].columns[0]]

    def skipped(self, row: list[str]) -> bool:
        for i, values in self.skip:
            if fold_digits(row[i]) in values:
                return True
        if self.latest_idx is not None:
            return fold_digits(row[self.latest_idx]) not in self.mapping.latest_flag_true
        return False

    def convert(self, row: list[str]) -> tuple[dict, list[tuple[str, str, str]]]:
        """(values, errors) where errors are (column, reason, field)."""
        values: dict[str, Any] = {}
        errors: list[tuple[str, str, str]] = []
        if len(row) != self.width:
            errors.append(("(行)", f"列の数が {len(row)} です（見出しは {self.width} 列）", ""))
            return values, errors
        for name, conv, era_field in self.plain:
            try:
                values[name] = conv(row)
            except FieldError as exc:
                errors.append((exc.column, exc.reason, name))
                continue
            if era_field:
                values[name], era = values[name] or (None, "")
                if era_field == "birth_era":
                    values["birth_era"] = era
        flags = []
        for spec, conv in self.flag_convs:
            try:
                if conv(row):
                    flags.append(spec.name)
            except FieldError as exc:
                errors.append((exc.column, exc.reason, spec.name))
        values.pop("_era", None)
        code = values.get("relationship_code")
        if code and self.mapping.relationship_codes:
            text = self.mapping.relationship_codes.get(_norm_code(code))
            if text is None:
                column = self.mapping.fields["relationship_code"].columns[0]
                errors.append((column, f"未定義の続柄コードです: '{code}'", "relationship"))
            elif not values.get("relationship"):
                values["relationship"] = text
        if not values.get("relationship") and not errors:
            spec = (
                self.mapping.fields.get("relationship") or self.mapping.fields["relationship_code"]
            )
            errors.append((spec.columns[0], "続柄が空です", "relationship"))
        if errors:
            return values, errors
        self._complete(values, flags, errors)
        return values, errors

    def _complete(self, values: dict, flags: list[str], errors: list) -> None:
        mapping = self.mapping
        name = values["name"]
        if "surname" not in values or "given_name" not in values:
            surname, sep, given = name.partition("\u3000")
            values.setdefault("surname", surname if sep else "")
            values.setdefault("given_name", given if sep else "")
        try:
            values["relationship_role"] = relationship_role(values["relationship"])
        except ValueError as exc:
            col = mapping.fields.get("relationship") or mapping.fields.get("relationship_code")
            errors.append((col.columns[0], str(exc), "relationship"))
            return
        if not values.get("resident_kind"):
            values["resident_kind"] = ResidentKind.JAPANESE.value
        if not values.get("status"):
            values["status"] = "1"
        if values["resident_kind"] == ResidentKind.JAPANESE:
            values["nationality"] = "JP"
        elif not values.get("nationality") or values.get("nationality") == "JP":
            values["nationality"] = "XX"  # foreign, nationality not given as ISO code
        if "municipality_code" not in values or not values["municipality_code"]:
            values["municipality_code"] = mapping.municipality_code
        if self.pending:
            values["status"] = "P"
            for key in ("atena_no", "household_no"):
                if not values[key].startswith("P"):
                    values[key] = "P" + values[key]
        if self.flag_convs:  # a mapping without flags leaves Person.flags alone
            values["flags"] = sorted(set(values.get("flags") or []) | set(flags))
        kana = values.get("name_kana", "")
        # The keys of core.text.search_keys, through the cached folds (1M-row imports).
        values["name_key"] = _name_key(name)
        values["kana_key"] = _kana_key(kana)
        values["given_key"] = _name_key(values.get("given_name") or given_part(name))
        values["given_kana_key"] = _kana_key(given_part(kana))
        values["alt_name_key"] = _name_key(values["alt_name"]) if values.get("alt_name") else ""
        values["import_digest"] = digest(values)


def digest(values: dict) -> str:
    """A digest of a row's values (the key order is fixed by the mapping)."""
    text = "\x1f".join([f"{k}={v}" for k, v in values.items() if k != "import_digest"])
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


# ---------------------------------------------------------------------------- reading


def detect_encoding(path: Path, declared: str = "auto") -> str:
    if declared in ("utf-8", "utf-8-sig"):
        with path.open("rb") as fh:
            return "utf-8-sig" if fh.read(3) == codecs.BOM_UTF8 else "utf-8"
    if declared in ("cp932", "shift_jis"):
        return "cp932"
    with path.open("rb") as fh:
        head = fh.read(1 << 20)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # Not clean UTF-8: the encoding that leaves fewer undecodable bytes wins (a UTF-8 file
    # with one broken byte stays UTF-8 and the byte is reported by line and column).
    bad = {
        enc: len(_UNDECODABLE.findall(head.decode(enc, errors="surrogateescape")))
        for enc in ("utf-8", "cp932")
    }
    return "cp932" if bad["cp932"] < bad["utf-8"] else "utf-8"


def _rows(path: Path, encoding: str) -> Iterator[tuple[int, list[str]]]:
    """(line number where the record starts, fields) for every record after the header."""
    # surrogateescape: an undecodable byte becomes a lone surrogate, reported with its
    # exact line and column instead of aborting the read somewhere in a chunk
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        reader = csv.reader(fh)
        next(reader, None)
        last = reader.line_num
        for row in reader:
            start, last = last + 1, reader.line_num
            if row:
                yield start, row


def read_header(path: Path, encoding: str) -> list[str]:
    with path.open(encoding=encoding, errors="surrogateescape", newline="") as fh:
        header = next(csv.reader(fh), [])
    if _UNDECODABLE.search("".join(header)):
        raise UnicodeDecodeError(encoding, b"", 0, 1, "undecodable header")
    return header


# ---------------------------------------------------------------------------- import


def _row_plan(fields, now):
    """A function row dict -> list of column values for ``fields``."""
    plan = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((f.attname, True, f.get_db_prep_value(now, connection)))
        elif f.get_internal_type() == "JSONField":
            plan.append((f.attname, "json", f.get_default()))
        else:
            plan.append((f.attname, False, None if f.primary_key else f.get_default()))

    def values(row: dict) -> list:
        out = []
        for name, kind, default in plan:
            if kind is True:
                out.append(default)
            elif kind == "json":
                out.append(json.dumps(row.get(name, default), ensure_ascii=False))
            else:
                out.append(row.get(name, default))
        return out

    return values


def insert_rows(model, rows: list[dict]) -> int:
    """Insert rows given as ``{field name: value}`` fast, without returning keys: COPY on
    PostgreSQL, one ``executemany`` elsewhere (``bulk_create`` on SQLite is capped at 999
    parameters per statement, which makes wide rows crawl). Missing fields take their
    default; auto_now fields take the current time."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = _row_plan(fields, timezone.now())
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            marks = ", ".join(["%s"] * len(fields))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})", [values(r) for r in rows]
            )
    return len(rows)


def update_rows(model, rows: list[dict], keep: tuple[str, ...] = ()) -> int:
    """Update rows given as ``{"id": pk, field name: value}``: only the fields the rows
    hold (except ``keep``) and auto_now fields are written. PostgreSQL: COPY into a
    temporary table and one ``UPDATE … FROM``; elsewhere one ``executemany``."""
    if not rows:
        return 0
    names = set().union(*rows) - {"id", *keep}
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and (f.attname in names or getattr(f, "auto_now", False))
        and not getattr(f, "auto_now_add", False)
    ]
    pk = model._meta.pk
    values = _row_plan([pk, *fields], timezone.now())
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = [qn(f.column) for f in fields]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            tmp = qn(f"tmp_update_{model._meta.db_table}")
            cur.execute(f"DROP TABLE IF EXISTS {tmp}")
            cur.execute(
                f"CREATE TEMP TABLE {tmp} ON COMMIT DROP AS "
                f"SELECT {qn(pk.column)}, {', '.join(cols)} FROM {table} LIMIT 0"
            )
            with cur.cursor.copy(
                f"COPY {tmp} ({qn(pk.column)}, {', '.join(cols)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(values(row))
            sets = ", ".join(f"{c} = t.{c}" for c in cols)
            cur.execute(
                f"UPDATE {table} SET {sets} FROM {tmp} t "
                f"WHERE {table}.{qn(pk.column)} = t.{qn(pk.column)}"
            )
            cur.execute(f"DROP TABLE {tmp}")
        else:
            sets = ", ".join(f"{c} = %s" for c in cols)
            cur.executemany(
                f"UPDATE {table} SET {sets} WHERE {qn(pk.column)} = %s",
                [(v := values(r))[1:] + v[:1] for r in rows],
            )
    return len(rows)


class _Rollback(Exception):
    pass


ProgressFn = Callable[[int], None]


def stderr_progress(rows: int) -> None:
    print(f"… {rows:,} rows", file=sys.stderr, flush=True)


def import_register(
    path: str | Path,
    mapping: Mapping | str | Path,
    *,
    dry_run: bool = False,
    pending: bool = False,
    progress: ProgressFn | None = None,
    progress_every: int = PROGRESS_EVERY,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Import a register CSV (all-or-nothing). Returns counts and every error."""
    path = Path(path)
    if not isinstance(mapping, Mapping):
        mapping = Mapping.load(mapping)
    result = ImportResult(file=str(path), mapping=mapping.source, dry_run=dry_run)
    if not path.exists():
        result.errors.append(RowError(0, "(file)", "ファイルがありません"))
        return result
    encoding = detect_encoding(path, mapping.encoding)
    result.encoding = encoding
    try:
        header = read_header(path, encoding)
    except UnicodeDecodeError:
        result.errors.append(RowError(1, "(見出し)", f"文字コード {encoding} として読めません"))
        return result
    conv = RowConverter(mapping, header, pending=pending)
    for col in conv.missing_columns:
        result.errors.append(RowError(1, col, "列がありません"))
    if result.errors:
        return result

    keep = _history_filter(path, encoding, conv, result)
    writer = _Writer(result, dry_run=dry_run, batch_size=batch_size)
    try:
        with transaction.atomic():
            _run(path, encoding, conv, keep, writer, result, progress, progress_every)
            writer.finish()
            if not pending and not result.errors and not dry_run:
                from madoguchi.register.pending import resolve_arrivals

                result.pending_resolved = resolve_arrivals()
            if result.errors or dry_run:
                raise _Rollback
    except _Rollback:
        pass
    if result.errors:  # rolled back: the writer's counts of the good rows were not written
        for name in (
            "persons_imported",
            "persons_updated",
            "persons_unchanged",
            "households_imported",
            "households_updated",
            "households_unchanged",
            "pending_resolved",
        ):
            setattr(result, name, 0)
    return result


def _history_filter(path, encoding, conv: RowConverter, result) -> dict[str, int] | None:
    """Without a latest flag, the highest 履歴番号 per 宛名番号 is the current row."""
    if conv.latest_idx is not None or conv.history_idx is None:
        return None
    best: dict[str, int] = {}
    try:
        for _line, row in _rows(path, encoding):
            if len(row) != conv.width:
                continue
            atena = fold_digits(row[conv.atena_idx])
            hist = fold_digits(row[conv.history_idx])
            if hist.isdigit() and int(hist) > best.get(atena, -1):
                best[atena] = int(hist)
    except UnicodeDecodeError:
        return None  # reported by the main pass
    return best


def _run(path, encoding, conv: RowConverter, keep, writer, result, progress, every):
    # keys are "municipality_code␟number" strings: one small object per person/household
    seen: dict[str, int] = {}
    heads: dict[str, int] = {}
    line = 1
    rows = _rows(path, encoding)
    while True:
        try:
            line, row = next(rows)
        except StopIteration:
            break
        except UnicodeDecodeError:
            result.errors.append(
                RowError(line + 1, "(行)", f"文字コード {encoding} として読めない文字があります")
            )
            break
        except csv.Error as exc:
            result.errors.append(RowError(line + 1, "(行)", f"CSV の形式が不正です: {exc}"))
            break
        result.rows_read += 1
        if progress and result.rows_read % every == 0:
            progress(result.rows_read)
        if _UNDECODABLE.search("".join(row)):
            for i, value in enumerate(row):
                if _UNDECODABLE.search(value):
                    column = conv.header[i] if i < len(conv.header) else f"({i + 1}列目)"
                    result.errors.append(
                        RowError(
                            line, column, f"文字コード {encoding} として読めない文字があります"
                        )
                    )
            continue
        if len(row) == conv.width and conv.skipped(row):
            result.rows_skipped += 1
            continue
        if keep is not None and len(row) == conv.width:
            hist = fold_digits(row[conv.history_idx])
            if hist.isdigit() and keep.get(fold_digits(row[conv.atena_idx])) != int(hist):
                result.rows_skipped += 1
                continue
        values, errors = conv.convert(row)
        if errors:
            for column, reason, _field in errors:
                result.errors.append(RowError(line, column, reason))
            continue
        key = f"{values['municipality_code']}\x1f{values['atena_no']}"
        if key in seen:
            col = conv.mapping.fields["atena_no"].columns[0]
            result.errors.append(
                RowError(line, col, f"宛名番号が重複しています（{seen[key]}行目と同じ）")
            )
            continue
        seen[key] = line
        if values.get("relationship_role") == Relationship.HEAD and values.get("status") in (
            None,
            "1",
            "P",
        ):
            hkey = f"{values['municipality_code']}\x1f{values['household_no']}"
            if hkey in heads:
                col = (
                    conv.mapping.fields.get("relationship_code")
                    or conv.mapping.fields.get("relationship")
                ).columns[0]
                result.errors.append(
                    RowError(line, col, f"世帯主が複数です（{heads[hkey]}行目も世帯主）")
                )
                continue
            heads[hkey] = line
        if not result.errors:
            writer.add(line, values)
    if progress and result.rows_read % every:
        progress(result.rows_read)


CREATED, TOUCHED = 1, 2


class _BulkLoad:
    """PostgreSQL, first import into an empty person table: drop the person table's plain
    indexes and foreign keys for the load and rebuild them once at the end (a sorted index
    build and one join instead of a million index inserts and trigger checks). Runs inside
    the import's transaction, so a rejected file rolls the DDL back with the rows; the
    table is locked for the load. Unique constraints stay."""

    def __init__(self):
        self.table = Person._meta.db_table
        self.indexes: list[str] = []
        self.foreign_keys: list[tuple[str, str]] = []

    def drop(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [self.table, self.table],
            )
            rows = cur.fetchall()
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [self.table],
            )
            self.foreign_keys = cur.fetchall()
            qn = connection.ops.quote_name
            for name, _def in self.foreign_keys:
                cur.execute(f"ALTER TABLE {qn(self.table)} DROP CONSTRAINT {qn(name)}")
            for name, definition in rows:
                cur.execute(f"DROP INDEX {qn(name)}")
                self.indexes.append(definition)

    def restore(self) -> None:
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in self.indexes:
                cur.execute(definition)
            for name, definition in self.foreign_keys:
                cur.execute(f"ALTER TABLE {qn(self.table)} ADD CONSTRAINT {qn(name)} {definition}")
            # fresh statistics, or the next import's look-ups plan sequential scans
            cur.execute(f"ANALYZE {qn(self.table)}, {qn(Household._meta.db_table)}")


class _Writer:
    """Batches records: households first, then persons (create / update / unchanged)."""

    def __init__(self, result: ImportResult, *, dry_run: bool, batch_size: int):
        self.result = result
        self.dry_run = dry_run
        self.batch_size = batch_size
        self.batch: list[dict] = []
        # "municipality_code␟household_no" -> id, and -> CREATED | TOUCHED bits
        self.household_ids: dict[str, int | None] = {}
        self.hh_state: dict[str, int] = {}
        # A first import into empty tables needs no look-ups of existing rows.
        self.no_persons = not Person.objects.exists()
        self.no_households = not Household.objects.exists()
        self.bulk_load: _BulkLoad | None = None
        if self.no_persons and not dry_run and connection.vendor == "postgresql":
            self.bulk_load = _BulkLoad()
            self.bulk_load.drop()

    def add(self, line: int, values: dict) -> None:
        self.batch.append(values)
        if len(self.batch) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if self.batch:
            batch, self.batch = self.batch, []
            self._households(batch)
            self._persons(batch)

    def finish(self) -> None:
        self.flush()
        r = self.result
        if self.bulk_load is not None and not r.errors:
            self.bulk_load.restore()
        states = self.hh_state.values()
        r.households_imported = sum(1 for st in states if st & CREATED)
        r.households_updated = sum(1 for st in states if st == TOUCHED)
        r.households_unchanged = sum(1 for st in states if st == 0)

    def _households(self, batch: list[dict]) -> None:
        wanted: dict[str, tuple[str, str, bool]] = {}
        for v in batch:
            mc, no = v["municipality_code"], v["household_no"]
            key = f"{mc}\x1f{no}"
            v["_hkey"] = key
            if key not in self.household_ids:
                wanted[key] = (mc, no, v.get("status") == "P")
        if not wanted:
            return
        by_mc: dict[str, list[str]] = {}
        for mc, no, _p in wanted.values():
            by_mc.setdefault(mc, []).append(no)
        for mc, nos in by_mc.items() if not self.no_households else ():
            for hid, no in Household.objects.filter(
                municipality_code=mc, household_no__in=nos
            ).values_list("id", "household_no"):
                self.household_ids[f"{mc}\x1f{no}"] = hid
        new = [k for k in wanted if k not in self.household_ids]
        if not new:
            return
        for k in new:
            self.hh_state[k] = CREATED
        if self.dry_run:
            for k in new:
                self.household_ids[k] = None
            return
        objs = [
            Household(municipality_code=mc, household_no=no, is_pending=pending)
            for mc, no, pending in (wanted[k] for k in new)
        ]
        created = Household.objects.bulk_create(objs, batch_size=self.batch_size)
        for obj in created:
            self.household_ids[f"{obj.municipality_code}\x1f{obj.household_no}"] = obj.pk

    def _persons(self, batch: list[dict]) -> None:
        result = self.result
        by_mc: dict[str, list[str]] = {}
        for v in batch:
            by_mc.setdefault(v["municipality_code"], []).append(v["atena_no"])
        existing: dict[tuple[str, str], tuple[int, str, int]] = {}
        for mc, atenas in by_mc.items() if not self.no_persons else ():
            for pid, atena, dig, hid in Person.objects.filter(
                municipality_code=mc, atena_no__in=atenas
            ).values_list("id", "atena_no", "import_digest", "household_id"):
                existing[(mc, atena)] = (pid, dig, hid)
        creates, updates = [], []
        left: set[int] = set()  # households a person moved out of
        state = self.hh_state
        for v in batch:
            mc = v["municipality_code"]
            del v["household_no"]
            hkey = v.pop("_hkey")
            hid = self.household_ids[hkey]
            found = existing.get((mc, v["atena_no"]))
            if found is None:
                creates.append((hid, v))
                state[hkey] = state.get(hkey, 0) | TOUCHED
            elif found[1] == v["import_digest"] and found[2] == hid:
                result.persons_unchanged += 1
                state.setdefault(hkey, 0)
            else:
                updates.append((found[0], hid, v))
                state[hkey] = state.get(hkey, 0) | TOUCHED
                if found[2] != hid:
                    left.add(found[2])
        if left:
            for mc, no in Household.objects.filter(id__in=left).values_list(
                "municipality_code", "household_no"
            ):
                key = f"{mc}\x1f{no}"
                state[key] = state.get(key, 0) | TOUCHED
        result.persons_imported += len(creates)
        result.persons_updated += len(updates)
        if self.dry_run:
            return
        if creates:
            insert_rows(Person, [dict(v, household_id=hid) for hid, v in creates])
        if updates:
            update_rows(
                Person,
                [dict(v, id=pid, household_id=hid) for pid, hid, v in updates],
                keep=("municipality_code", "atena_no"),
            )
