"""Turning a CSV row into the values of one ``Person`` through a mapping (the hot path)."""

from __future__ import annotations

import hashlib
import operator
from functools import lru_cache
from typing import Any

from django.db.backends.base.operations import BaseDatabaseOperations

from madoguchi.core import countries
from madoguchi.core.text import given_part
from madoguchi.register.importer.address import AddressError, split_address
from madoguchi.register.importer.mapping import FieldSpec, Mapping
from madoguchi.register.importer.results import FieldError, MappingError
from madoguchi.register.importer.values import (
    FULLWIDTH_DIGITS,
    _kana_key,
    _name_key,
    _norm_code,
    date_in_era,
    fold_digits,
    parse_date,
    relationship_role,
)
from madoguchi.register.models import Household, Person, ResidentKind
from madoguchi.register.residence_card import ART30_45_CLASSES, RESIDENCE_STATUSES

# Values computed from another field: a value too long is reported at the source's column.
_SOURCE_FIELD = {
    "surname": "name",
    "given_name": "name",
    "name_key": "name",
    "given_key": "given_name",
    "kana_key": "name_kana",
    "given_kana_key": "name_kana",
    "alt_name_key": "alt_name",
    "relationship_role": "relationship",
    "birth_era": "birth_date",
    "prefecture": "address",
    "city": "address",
    "town": "address",
}


@lru_cache(maxsize=1)
def _limits() -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """(max_length by field, integer range by field) of what the import writes, read from
    the models (one source), so a value the database would refuse is a row error before
    anything is written. Integer ranges are Django's portable ones (PostgreSQL's), so
    both databases accept the same files."""
    lengths: dict[str, int] = {}
    ranges: dict[str, tuple[int, int]] = {}
    for model in (Household, Person):
        for f in model._meta.concrete_fields:
            if f.max_length and isinstance(f.max_length, int):
                lengths[f.name] = min(f.max_length, lengths.get(f.name, f.max_length))
            elif f.get_internal_type() in BaseDatabaseOperations.integer_field_ranges:
                ranges[f.name] = BaseDatabaseOperations.integer_field_ranges[f.get_internal_type()]
    return lengths, ranges


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

    elif ftype == "country":  # 国籍・地域: a code or a name of core.countries' list
        unknown = spec.unknown

        def conv(row):
            text = raw(row).strip()
            if not text:
                if required:
                    raise FieldError(col, "必須項目が空です")
                return ""
            found = countries.resolve(text)
            if found is not None:
                return found.code
            if unknown == "blank":
                return ""
            if unknown == "keep":
                return countries.UNKNOWN  # kept as "not known"; the name column keeps the text
            raise FieldError(col, f"国籍・地域の一覧にありません: '{text}'")

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

    elif ftype == "address":
        hw, prefix = spec.halfwidth_digits, spec.prefix
        postal_idx = index[spec.postal_column] if spec.postal_column else None

        def conv(row):
            text = raw(row)
            if not text.strip(" \u3000"):
                if required:
                    raise FieldError(col, "必須項目が空です")
                return "", "", ""
            postal = fold_digits(row[postal_idx]).replace("-", "") if postal_idx is not None else ""
            try:
                pref, city, town = split_address(text, postal, prefix)
            except AddressError as exc:
                raise FieldError(col, str(exc)) from None
            return pref, city, town.translate(FULLWIDTH_DIGITS) if hw else town

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
        address = values.pop("address", None)  # one column → 都道府県, 市区町村, 町字
        if address is not None:
            values["prefecture"], values["city"], values["town"] = address
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
        if not errors:
            self._check_limits(values, errors)
        return values, errors

    def _column_of(self, name: str) -> str:
        fields = self.mapping.fields
        spec = fields.get(name) or fields.get(_SOURCE_FIELD.get(name, ""))
        if name == "given_key" and spec is None:
            spec = fields.get("name")
        return spec.columns[0] if spec is not None and spec.columns else name

    def _check_limits(self, values: dict, errors: list) -> None:
        """Lengths and integer ranges the database enforces; the value is never echoed.
        Hot path: one quick pass finds nothing on a good row."""
        lengths, ranges = _limits()
        get = values.get
        bad = [n for n, lim in lengths.items() if type(v := get(n)) is str and len(v) > lim]
        bad += [
            n
            for n, (low, high) in ranges.items()
            if type(v := get(n)) is int and not low <= v <= high
        ]
        reported: set[str] = set()
        for name in bad:
            column = self._column_of(name)
            if column in reported:
                continue
            reported.add(column)
            if name in ranges:
                low, high = ranges[name]
                reason = f"範囲外の数値です（{low}〜{high}）"
            else:
                limit = lengths[name]
                reason = f"長すぎます（{limit} 文字まで、{len(values[name])} 文字あります）"
            errors.append((column, reason, name))

    def _check_card_items(self, values: dict, errors: list) -> None:
        """30条45区分 and 在留資格 as written must be in the counter's lists
        (register/residence_card.py): a value not in them is an error naming the column.
        A ``type: code`` field with ``unknown: keep`` keeps an unlisted code on purpose."""
        for name, allowed, label in (
            ("art30_45_class", ART30_45_CLASSES, "30条45区分"),
            ("residence_status", RESIDENCE_STATUSES, "在留資格"),
        ):
            value = values.get(name)
            spec = self.mapping.fields.get(name)
            if not value or value in allowed or spec is None:
                continue
            if spec.type == "code" and spec.unknown == "keep":
                continue
            errors.append((spec.columns[0], f"{label}の一覧にありません: '{value}'", name))

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
        nat = values.get("nationality") or ""
        if not values.get("resident_kind"):  # a layout without 住民種別: the nationality says
            foreign = bool(nat) and nat != countries.JAPAN
            values["resident_kind"] = (
                ResidentKind.FOREIGN if foreign else ResidentKind.JAPANESE
            ).value
        if not values.get("status"):
            values["status"] = "1"
        if values["resident_kind"] == ResidentKind.JAPANESE:
            values["nationality"] = "JP"
        else:
            listed = countries.by_code(nat) if nat and nat != countries.UNKNOWN else None
            if listed is None and values.get("nationality_name"):
                listed = countries.resolve(values["nationality_name"])  # 国籍名 alone
            if listed is not None and listed.code != countries.JAPAN:
                values["nationality"] = listed.code
                values["nationality_name"] = values.get("nationality_name") or listed.name
            else:
                values["nationality"] = countries.UNKNOWN  # foreign, not in the list
        self._check_card_items(values, errors)
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
