"""The forms engine: catalog form data + a situation → one Typst document → PDF.

Pure: no database, no Django needed. A form is catalog data, one folder per form under
``<catalog>/forms/<form_id>/``: ``form.yaml`` (name, per person or household, the
procedures it serves, the bindings of its fields and the fit rule of each box) and
``template.typ`` (the Typst layout, built from ``forms/_lib/components.typ``). The
guide sheet (``forms/_guide/``) and the overflow page (``forms/_lib/overflow.typ``) are
catalog data too, so a department changes a form or a label without touching Python.

Python does the data work — binding values, 和暦, postal codes, household order, the fit
of each value in its box (shrink, else flag on the 超過リスト page), the handwriting count
— and hands Typst one JSON document; Typst only lays it out.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import mmap
import struct
import threading
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import typst
import yaml

FONT_DIR = Path(__file__).resolve().parent.parent / "static" / "fonts"

# Register fields a situation person may carry under ``register:`` (printing only).
REGISTER_KEYS = {
    "atena_no": "宛名番号",
    "name": "氏名（登録どおり、正規化しない）",
    "kana": "氏名フリガナ（全角カタカナ）",
    "former_name": "変更前の氏名（婚姻・離婚で氏が変わる人）",
    "former_kana": "変更前のフリガナ",
    "postal_code": "郵便番号（7桁）",
    "address": "住所（都道府県から番地まで）",
    "address_extra": "方書（建物名・部屋番号）",
    "former_postal_code": "前住所の郵便番号",
    "former_address": "前住所（転入・転居では従前の住所）",
    "new_postal_code": "転出先の郵便番号",
    "new_address": "転出先の住所",
    "honseki": "本籍",
    "hittousha": "筆頭者",
    "phone": "電話番号",
    "nhi_no": "国民健康保険 記号番号",
    "elderly_no": "後期高齢者医療 被保険者番号",
    "care_no": "介護保険 被保険者番号",
    "pension_no": "基礎年金番号",
    "school": "在籍校（転出元の学校名）",
    "grade": "学年",
    "dog_name": "犬の名前",
    "dog_breed": "犬の種類",
    "dog_registration_no": "犬の登録番号（鑑札番号）",
    "death_place": "死亡の場所",
    "cremation_place": "火葬の場所",
    "funeral_host": "喪主の氏名",
}

RELATIONSHIP_ORDER = {
    "head": 0,
    "spouse": 1,
    "child": 2,
    "parent": 3,
    "sibling": 4,
    "relative": 5,
    "cohabitant": 6,
}
SEX_JA = {"male": "男", "female": "女"}
INSURANCE_JA = {
    "nhi": "国民健康保険",
    "employee": "被用者保険",
    "elderly": "後期高齢者医療",
    "assistance": "生活保護",
    "none": "なし",
}
EVENT_JA = {
    "move_in": "転入",
    "move_in_from_abroad": "国外からの転入",
    "move_out": "転出",
    "move_out_abroad": "国外への転出",
    "move_within": "転居",
    "birth": "出生",
    "death": "死亡",
    "marriage": "婚姻",
    "divorce": "離婚",
}


class DocumentError(ValueError):
    """Bad form data or bad register block; ``field`` names where."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


# ---------------------------------------------------------------- values and formats


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise DocumentError("date", f"not a date: {value!r}") from exc


_ERAS = (  # fallback until madoguchi.core.wareki lands; same output
    (dt.date(2019, 5, 1), "令和"),
    (dt.date(1989, 1, 8), "平成"),
    (dt.date(1926, 12, 25), "昭和"),
    (dt.date(1912, 7, 30), "大正"),
    (dt.date(1868, 1, 25), "明治"),
)


def format_wareki(value) -> str:
    d = _date(value)
    if d is None:
        return ""
    try:
        from madoguchi.core.wareki import format_wareki as core_format
    except ImportError:
        core_format = None
    if core_format is not None:
        return core_format(d)
    for start, era in _ERAS:
        if d >= start:
            year = d.year - start.year + 1
            return f"{era}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    return f"{d.year}年{d.month}月{d.day}日"


def format_postal(value) -> str:
    digits = "".join(ch for ch in str(value or "") if ch.isdigit())
    digits = unicodedata.normalize("NFKC", digits)  # digits only: full-width → half-width
    if len(digits) != 7:
        return str(value or "")
    return f"〒{digits[:3]}-{digits[3:]}"


def format_postal_digits(value) -> str:
    digits = unicodedata.normalize("NFKC", "".join(ch for ch in str(value or "") if ch.isdigit()))
    return digits


FORMATS = {
    "wareki": format_wareki,
    "postal": format_postal,
    "postal_digits": format_postal_digits,
    "sex": lambda v: SEX_JA.get(v, v or ""),
    "insurance": lambda v: INSURANCE_JA.get(v, v or ""),
    "text": lambda v: "" if v is None else str(v),
    "event": lambda v: EVENT_JA.get(v, v or ""),
}


def em_width(text: str) -> float:
    """Width of ``text`` in em at the nominal size: wide characters 1, others ½,
    variation selectors and combining marks 0."""
    width = 0.0
    for ch in text:
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF or unicodedata.combining(ch):
            continue
        width += 1.0 if unicodedata.east_asian_width(ch) in ("W", "F") else 0.5
    return width


def written_chars(text: str) -> int:
    """Characters a resident would write by hand for ``text``: every character except
    spaces and variation selectors (an IVS glyph is one written character)."""
    return sum(
        1
        for ch in text
        if not ch.isspace() and not (0xFE00 <= ord(ch) <= 0xFE0F or 0xE0100 <= ord(ch) <= 0xE01EF)
    )


# ---------------------------------------------------------------- glyph coverage


def _cmap_points(data, font_offset: int) -> set[int]:
    """Code points mapped by the cmap of the sfnt at ``font_offset`` (format 12, else 4)."""
    (num_tables,) = struct.unpack_from(">H", data, font_offset + 4)
    cmap = None
    for i in range(num_tables):
        tag, _, offset, _ = struct.unpack_from(">4sIII", data, font_offset + 12 + 16 * i)
        if tag == b"cmap":
            cmap = offset
    if cmap is None:
        return set()
    (count,) = struct.unpack_from(">H", data, cmap + 2)
    subtables = [struct.unpack_from(">HHI", data, cmap + 4 + 8 * i) for i in range(count)]
    points: set[int] = set()
    by_format = {}
    for _pid, _eid, off in subtables:
        by_format.setdefault(struct.unpack_from(">H", data, cmap + off)[0], cmap + off)
    if 14 in by_format:  # variation sequences, recorded as (base << 32) | selector
        points |= _uvs_pairs(data, by_format[14])
    if 12 in by_format:
        base = by_format[12]
        (groups,) = struct.unpack_from(">I", data, base + 12)
        for g in range(groups):
            start, end, _ = struct.unpack_from(">III", data, base + 16 + 12 * g)
            points.update(range(start, end + 1))
    elif 4 in by_format:
        base = by_format[4]
        (seg_x2,) = struct.unpack_from(">H", data, base + 6)
        segs = seg_x2 // 2
        ends = struct.unpack_from(f">{segs}H", data, base + 14)
        starts = struct.unpack_from(f">{segs}H", data, base + 16 + seg_x2)
        for start, end in zip(starts, ends, strict=True):
            if start != 0xFFFF:
                points.update(range(start, end + 1))
    return points


def _uint24(data, offset: int) -> int:
    hi, lo = struct.unpack_from(">BH", data, offset)
    return (hi << 16) | lo


def _uvs_pairs(data, base: int) -> set[int]:
    """The (base, selector) pairs of a cmap format 14 subtable (default and non-default
    UVS), each as ``(base << 32) | selector``."""
    pairs: set[int] = set()
    (records,) = struct.unpack_from(">I", data, base + 6)
    for r in range(records):
        rec = base + 10 + 11 * r
        selector = _uint24(data, rec)
        default_off, non_default_off = struct.unpack_from(">II", data, rec + 3)
        if default_off:
            (ranges,) = struct.unpack_from(">I", data, base + default_off)
            for i in range(ranges):
                start = _uint24(data, base + default_off + 4 + 4 * i)
                (extra,) = struct.unpack_from(">B", data, base + default_off + 7 + 4 * i)
                pairs.update((cp << 32) | selector for cp in range(start, start + extra + 1))
        if non_default_off:
            (mappings,) = struct.unpack_from(">I", data, base + non_default_off)
            for i in range(mappings):
                cp = _uint24(data, base + non_default_off + 4 + 5 * i)
                pairs.add((cp << 32) | selector)
    return pairs


@functools.cache
def font_coverage(font_dir: Path = FONT_DIR) -> frozenset[int]:
    """Every code point some vendored font can print (the fallback chain uses them all)."""
    points: set[int] = set()
    for path in sorted(font_dir.glob("*.tt[fc]")) + sorted(font_dir.glob("*.otf")):
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if data[:4] == b"ttcf":
                (n,) = struct.unpack_from(">I", data, 8)
                offsets = struct.unpack_from(f">{n}I", data, 12)
            else:
                offsets = (0,)
            for offset in offsets:
                points |= _cmap_points(data, offset)
    return frozenset(points)


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` no vendored font can print (e.g. a legacy 外字 in the
    private use area), and variation sequences no font knows; spaces are not glyphs."""
    covered = font_coverage()
    out = []
    for i, ch in enumerate(text):
        cp = ord(ch)
        if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:
            # an ideographic variation sequence must be known as a pair, else the base
            # glyph would print instead of the registered variant
            seq = text[i - 1 : i + 1] if i else ch
            if i and ((ord(text[i - 1]) << 32) | cp) not in covered and seq not in out:
                out.append(seq)
            continue
        if ch.isspace() or cp < 0x20:
            continue
        if cp not in covered and ch not in out:
            out.append(ch)
    return out


# ---------------------------------------------------------------- persons


def relationship_ja(person: dict, head: dict | None) -> str:
    rel = person.get("relationship")
    sex = person.get("sex")
    if rel == "head":
        return "世帯主"
    if rel == "spouse":
        return "夫" if sex == "male" else "妻"
    if rel == "child":
        return "子"
    if rel == "parent":
        return "父" if sex == "male" else "母"
    if rel == "sibling":
        older = head is not None and str(person.get("birth_date")) < str(head.get("birth_date"))
        if sex == "male":
            return "兄" if older else "弟"
        return "姉" if older else "妹"
    if rel == "relative":
        return "縁故者"
    if rel == "cohabitant":
        return "同居人"
    return rel or ""


def legal_order_key(person: dict) -> tuple:
    """世帯連記の記載順位: head, spouse, children by birth date, parents, siblings,
    relatives, cohabitants; ties by 宛名番号, then by id."""
    reg = person.get("register") or {}
    rel = RELATIONSHIP_ORDER.get(person.get("relationship"), 9)
    return (rel, str(person.get("birth_date", "")), str(reg.get("atena_no", "")), person["id"])


def person_context(person: dict, head: dict | None) -> dict:
    """A person as the form bindings see it: situation facts plus the register block."""
    reg = person.get("register") or {}
    if not isinstance(reg, dict):
        raise DocumentError(f"persons[{person.get('id')}].register", "must be a mapping")
    for key in reg:
        if key not in REGISTER_KEYS:
            raise DocumentError(
                f"persons[{person.get('id')}].register.{key}",
                f"unknown register key (known: {', '.join(REGISTER_KEYS)})",
            )
    ctx = {k: v for k, v in person.items() if k != "register"}
    ctx.update({k: ("" if v is None else str(v)) for k, v in reg.items()})
    for key in REGISTER_KEYS:
        ctx.setdefault(key, "")
    ctx["birth_date"] = str(person.get("birth_date", ""))
    ctx["relationship_ja"] = relationship_ja(person, head)
    ctx["sex_ja"] = SEX_JA.get(person.get("sex"), "")
    ctx["flags"] = list(person.get("flags") or [])
    ctx["nationality"] = person.get("nationality", "JP")
    ctx["health_insurance"] = person.get("health_insurance", "none")
    ctx["pension"] = str(person.get("pension", "none"))
    return ctx


def _birthday(birth: dt.date, year: int) -> dt.date:
    if birth.month == 2 and birth.day == 29:
        try:
            return dt.date(year, 2, 29)
        except ValueError:
            return dt.date(year, 3, 1)
    return birth.replace(year=year)


def is_kid(person: dict, on: dt.date) -> bool:
    """A child of the head within the child-allowance age (up to the first 31 March on
    or after the day before the 18th birthday)."""
    if person.get("relationship") != "child":
        return False
    birth = _date(person.get("birth_date"))
    if birth is None or birth > on:
        return False
    reached = _birthday(birth, birth.year + 18) - dt.timedelta(days=1)
    end = dt.date(
        reached.year if reached <= dt.date(reached.year, 3, 31) else reached.year + 1, 3, 31
    )
    return on <= end


def school_grade(birth_value, on: dt.date) -> str:
    """小n年 / 中n年 at ``on`` (school starts the first 1 April on or after the 6th
    birthday), or "" outside compulsory school age."""
    birth = _date(birth_value)
    if birth is None:
        return ""
    sixth = _birthday(birth, birth.year + 6)
    start = dt.date(sixth.year if sixth <= dt.date(sixth.year, 4, 1) else sixth.year + 1, 4, 1)
    if on < start:
        return ""
    year = on.year - start.year + (1 if (on.month, on.day) >= (4, 1) else 0)
    if year <= 6:
        return f"小学校{year}年"
    if year <= 9:
        return f"中学校{year - 6}年"
    return ""


# ---------------------------------------------------------------- catalog forms


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


MEMBER_SOURCES = ("persons", "kids", "household")


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


# ---------------------------------------------------------------- binding


def resolve(path: str, ctx: dict) -> Any:
    value: Any = ctx
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        else:
            return None
        if value is None:
            return None
    return value


@dataclass
class Overflow:
    form: str
    form_name: str
    copy: int
    field: str
    label: str
    value: str
    ref: int = 0
    kind: str = "overflow"  # overflow: did not fit | glyph: a character no font has

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class Binder:
    """Binds the fields of one document, fitting each value in its box."""

    def __init__(self, form: FormSpec, copy: int, overflow: list[Overflow]):
        self.form = form
        self.copy = copy
        self.overflow = overflow
        self.handwritten = 0

    def value(self, spec: dict, ctx: dict) -> str:
        if "value" in spec:
            raw = spec["value"]
        else:
            sources = spec["from"] if isinstance(spec["from"], list) else [spec["from"]]
            parts = [resolve(s, ctx) for s in sources]
            fmt = FORMATS[spec.get("format", "text")]
            parts = [fmt(p) for p in parts if p not in (None, "")]
            parts = [p for p in parts if p]
            if spec.get("first"):  # the first source that has a value
                parts = parts[:1]
            raw = spec.get("sep", "　").join(parts)
        return "" if raw is None else str(raw)

    def bind(self, spec: dict, ctx: dict, label_prefix: str = "") -> dict:
        text = self.value(spec, ctx)
        if spec.get("handwritten", True):
            self.handwritten += written_chars(text)
        out: dict[str, Any] = {"text": text, "scale": 1.0, "ref": 0}
        label = label_prefix + spec.get("label", spec["id"])
        missing = missing_glyphs(text)
        if missing:  # printed as it is, and listed so that the clerk completes it by hand
            note = "、".join(" ".join(f"U+{ord(c):04X}" for c in seq) for seq in missing)
            self.overflow.append(
                Overflow(self.form.id, self.form.name, self.copy, spec["id"],
                         f"{label}（字形なし: {note}）", text, 0, "glyph")
            )  # fmt: skip
        fit = spec.get("fit") or {}
        if "cells" in fit:
            cells = int(fit["cells"])
            chars = [ch for ch in text if not (0xE0100 <= ord(ch) <= 0xE01EF)]
            if len(chars) > cells:
                out.update(text="", ref=self._flag(spec, label, text))
            out["cells"] = chars if not out["ref"] else []
        elif "chars" in fit:
            capacity = float(fit["chars"])
            width = em_width(text)
            if width > capacity:
                scale = capacity / width
                if scale >= float(fit.get("min_scale", 0.6)):
                    out["scale"] = round(scale, 3)
                else:
                    out.update(text="", ref=self._flag(spec, label, text))
        return out

    def _flag(self, spec: dict, label: str, text: str) -> int:
        ref = sum(1 for o in self.overflow if o.kind == "overflow") + 1
        self.overflow.append(
            Overflow(self.form.id, self.form.name, self.copy, spec["id"], label, text, ref)
        )
        return ref


# ---------------------------------------------------------------- the bundle

MOVING_OUT = ("move_out", "move_out_abroad")


def _addresses(ctx: dict, event: str) -> None:
    """Address before and after the event, whichever register keys hold them."""
    here = (ctx["postal_code"], ctx["address"], ctx["address_extra"])
    if event in MOVING_OUT:
        before, after = here, (ctx["new_postal_code"], ctx["new_address"], "")
    elif event.startswith("move_"):
        before, after = (ctx["former_postal_code"], ctx["former_address"], ""), here
    else:
        before, after = ("", "", ""), here
    for suffix, (postal, address, extra) in (("before", before), ("after", after)):
        ctx[f"postal_{suffix}"] = postal
        ctx[f"address_{suffix}"] = address
        ctx[f"address_extra_{suffix}"] = extra


def _signs_for_self(person: dict, deceased, on: dt.date) -> bool:
    """A living subject of 15 or over (completed years) applies for themself; for a child
    or the deceased the household's notifier signs."""
    birth = _date(person.get("birth_date"))
    if not person or person.get("id") == deceased or birth is None:
        return False
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return years >= 15


def _spouse_of(person: dict, persons: list[dict], ctxs: dict) -> dict:
    rel = person.get("relationship")
    want = {"head": "spouse", "spouse": "head"}.get(rel)
    match = [p for p in persons if want and p.get("relationship") == want]
    return ctxs[match[0]["id"]] if match else {}


def _new_head(situation: dict, persons: list[dict], head: dict, ctxs: dict) -> dict:
    """The head after the event: the first in legal order of those who stay, when the
    head dies or moves away; else the head."""
    leaving = {situation.get("deceased")}
    if situation.get("event", "").startswith("move_"):
        leaving |= {p["id"] for p in persons if p.get("moving", True)}
    if head.get("id") not in leaving:
        return ctxs.get(head.get("id"), {})
    stay = sorted((p for p in persons if p["id"] not in leaving), key=legal_order_key)
    return ctxs[stay[0]["id"]] if stay else {}


def _procedure_persons(result: dict, form: FormSpec) -> tuple[list[dict], list[str]]:
    procs = [p for p in result.get("procedures", []) if form.id in (p.get("forms") or [])]
    persons: list[str] = []
    for p in procs:
        for pid in p.get("persons") or []:
            if pid not in persons:
                persons.append(pid)
    return procs, persons


def documents_for(
    situation: dict, result: dict, forms: dict[str, FormSpec], base: dict
) -> list[tuple[FormSpec, dict, list[dict]]]:
    """Which documents the bundle holds: (form, subject context, member contexts) per
    copy, forms in catalog order of their first procedure, per-person forms once per
    person concerned (persons in legal household order)."""
    persons = {p["id"]: p for p in situation.get("persons", [])}
    order = sorted(persons.values(), key=legal_order_key)
    rank = {p["id"]: i for i, p in enumerate(order)}
    seen: list[str] = []
    for proc in result.get("procedures", []):
        for fid in proc.get("forms") or []:
            if fid not in forms:
                raise DocumentError(f"procedures[{proc['id']}].forms", f"no form {fid!r}")
            if fid not in seen:
                seen.append(fid)
    on = _date(situation.get("event_date")) or dt.date.today()
    kids = [p["id"] for p in order if is_kid(p, on) and p["id"] != situation.get("deceased")]
    docs = []
    for fid in seen:
        form = forms[fid]
        procs, pids = _procedure_persons(result, form)
        pids = sorted((p for p in pids if p in persons), key=rank.get)
        source = (form.members or {}).get("from", "persons")
        if form.per == "person" and pids:
            for pid in pids:
                mine = [p for p in procs if pid in (p.get("persons") or [])]
                members = {"persons": [pid], "kids": kids, "household": list(rank)}[source]
                docs.append((form, {"subject": pid, "procedures": mine}, members))
        else:
            # a household-level procedure alone (世帯主変更) lists those who stay
            stay = [p for p in rank if p != situation.get("deceased")]
            subject = pids[0] if pids else base["new_head"].get("id", base["head_id"])
            members = {"persons": pids or stay, "kids": kids, "household": list(rank)}[source]
            docs.append((form, {"subject": subject, "procedures": procs}, members))
    return docs


def build_data(
    situation: dict,
    result: dict,
    forms: dict[str, FormSpec],
    municipality: dict,
    guide: dict,
    notified_on: dt.date,
) -> tuple[dict, list[Overflow], int]:
    """The JSON document Typst lays out: every document with its bound fields and
    member rows, the overflow list and the guide; plus the overflow entries and the
    handwriting count."""
    persons = situation.get("persons") or []
    heads = [p for p in persons if p.get("relationship") == "head"]
    head = heads[0] if heads else (persons[0] if persons else {})
    ctxs = {p["id"]: person_context(p, head) for p in persons}
    head_ctx = ctxs.get(head.get("id"), {})
    event = situation.get("event", "")
    base = {
        "head_id": head.get("id"),
        "head": head_ctx,
        "event": {
            "id": event,
            "name": EVENT_JA.get(event, event),
            "date": str(situation.get("event_date", "")),
        },
        "notified_on": notified_on.isoformat(),
        "municipality": municipality,
        "situation": {k: v for k, v in situation.items() if k != "persons"},
    }
    deceased = situation.get("deceased")
    notifier = head_ctx
    if deceased and deceased == head.get("id"):
        survivors = sorted((p for p in persons if p["id"] != deceased), key=legal_order_key)
        notifier = ctxs[survivors[0]["id"]] if survivors else head_ctx
    base["notifier"] = notifier
    base["new_head"] = _new_head(situation, persons, head, ctxs)
    earners = [p for p in persons if "primary_earner" in (p.get("flags") or [])]
    base["guardian"] = ctxs[earners[0]["id"]] if earners else head_ctx
    base["deceased"] = ctxs.get(deceased, {}) if deceased else {}
    on = _date(situation.get("event_date")) or notified_on
    for ctx in ctxs.values():
        _addresses(ctx, event)
        ctx["school_grade"] = school_grade(ctx["birth_date"], on)
    overflow: list[Overflow] = []
    handwritten = 0
    documents = []
    copies: dict[str, int] = {}
    for form, doc, member_ids in documents_for(situation, result, forms, base):
        rows = int((form.members or {}).get("rows", 0)) or None
        chunks = [member_ids]
        if form.members and rows and len(member_ids) > rows:
            chunks = [member_ids[i : i + rows] for i in range(0, len(member_ids), rows)]
        for part, chunk in enumerate(chunks):
            copies[form.id] = copies.get(form.id, 0) + 1
            binder = Binder(form, copies[form.id], overflow)
            ctx = dict(base)
            ctx["person"] = ctxs.get(doc["subject"], {})
            ctx["spouse"] = _spouse_of(ctx["person"], persons, ctxs)
            if form.per == "person" and _signs_for_self(ctx["person"], deceased, on):
                ctx["notifier"] = dict(ctx["person"], relationship_ja="本人")
            ctx["members"] = [ctxs[m] for m in chunk if m in ctxs]
            bound = {f["id"]: binder.bind(f, ctx) for f in form.fields}
            members = []
            for i, m in enumerate(ctx["members"]):
                mctx = dict(ctx, member=m)
                members.append(
                    {
                        f["id"]: binder.bind(f, mctx, f"{i + 1}人目 ")
                        for f in (form.members or {}).get("fields", [])
                    }
                    | {"rel": m["relationship"], "id": m["id"], "flags": m["flags"]}
                )
            handwritten += binder.handwritten
            documents.append(
                {
                    "form": form.id,
                    "name": form.name,
                    "copy": copies[form.id],
                    "sheet": part + 1,
                    "sheets": len(chunks),
                    "rows": rows or 0,
                    "notes": [str(n) for n in form.raw.get("notes") or []],
                    "procedures": [p["id"] for p in doc["procedures"]],
                    "procedure_names": [p.get("name", p["id"]) for p in doc["procedures"]],
                    "event": event,
                    "situation": base["situation"],
                    "subject": {
                        k: ctx["person"].get(k)
                        for k in ("id", "relationship", "sex", "flags", "nationality")
                    },
                    "f": bound,
                    "members": members,
                    "municipality": municipality,
                }
            )
    data = {
        "documents": documents,
        "overflow": [o.as_dict() for o in overflow],
        "guide": guide,
        "municipality": municipality,
        "notified_on": format_wareki(notified_on),
    }
    return data, overflow, handwritten


# ---------------------------------------------------------------- Typst


class Renderer:
    """One warm Typst compiler per catalog: fonts are loaded once, compiles take
    milliseconds. Compiles are serialised (the compiler is not re-entrant)."""

    _lock = threading.Lock()
    _cache: dict[str, Renderer] = {}

    def __init__(self, forms_dir: Path):
        self.forms_dir = forms_dir
        self.compiler = typst.Compiler(
            root=str(forms_dir), font_paths=[str(FONT_DIR)], ignore_system_fonts=True
        )
        self.compile_lock = threading.Lock()

    @classmethod
    def for_dir(cls, forms_dir: Path) -> Renderer:
        key = str(forms_dir.resolve())
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(forms_dir)
            return cls._cache[key]

    def main_source(self, form_ids: list[str]) -> str:
        lines = [
            '#import "/_lib/components.typ": *',
            '#import "/_lib/overflow.typ": overflow-page',
            '#import "/_guide/template.typ": guide-sheet',
        ]
        names = []
        for fid in form_ids:
            alias = "f_" + "".join(ch if ch.isalnum() else "_" for ch in fid)
            lines.append(f'#import "/{fid}/template.typ" as {alias}')
            names.append(f'"{fid}": {alias}.form')
        lines += [
            "#let data = json(bytes(sys.inputs.data))",
            '#set document(title: "届書・手続き案内票 — " + data.municipality.name, date: none)',
            f"#let forms = ({', '.join(names)}{',' if len(names) == 1 else ''})"
            if names
            else "#let forms = (:)",
            "#show: bundle-setup",
            "#for d in data.documents { page(forms.at(d.form)(d)) }",
            "#if data.overflow.len() > 0 { overflow-page(data) }",
            "#if data.guide != none { guide-sheet(data) }",
        ]
        return "\n".join(lines) + "\n"

    def compile(self, data: dict, fmt: str = "pdf", ppi: float | None = None) -> bytes | list:
        form_ids = sorted({d["form"] for d in data["documents"]})
        source = self.main_source(form_ids).encode("utf-8")
        payload = json.dumps(data, ensure_ascii=False, default=str)  # YAML dates → ISO
        with self.compile_lock:
            try:
                kwargs = {"format": fmt, "sys_inputs": {"data": payload}}
                if ppi:
                    kwargs["ppi"] = ppi
                return self.compiler.compile(input=source, **kwargs)
            except typst.TypstError as exc:
                where = getattr(exc, "diagnostic", "") or str(exc)
                raise DocumentError("template", f"Typst: {where}") from exc
