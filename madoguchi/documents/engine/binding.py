"""Binding: a form's ``from:`` paths resolved against the data, fitted into their boxes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from madoguchi.documents.engine.fonts import missing_glyphs
from madoguchi.documents.engine.formats import FORMATS, em_width, written_chars
from madoguchi.documents.engine.forms import FormSpec


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
