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

The package, by concern: ``formats`` (values, 和暦, 〒, widths), ``fonts`` (glyph
coverage), ``persons`` (a person as the forms see it), ``forms`` (form.yaml specs),
``binding`` (``from:`` paths into boxes), ``bundle`` (which forms, for whom, with what
data) and ``render`` (Typst).
"""

from madoguchi.documents.engine.binding import Binder, Overflow, resolve
from madoguchi.documents.engine.bundle import MOVING_OUT, blank_fields, build_data, documents_for
from madoguchi.documents.engine.fonts import FONT_DIR, font_coverage, missing_glyphs
from madoguchi.documents.engine.formats import (
    EVENT_JA,
    FORMATS,
    INSURANCE_JA,
    SEX_JA,
    DocumentError,
    as_date,
    em_width,
    format_postal,
    format_postal_digits,
    format_wareki,
    written_chars,
)
from madoguchi.documents.engine.forms import MEMBER_SOURCES, FormSpec, load_form, load_forms
from madoguchi.documents.engine.persons import (
    REGISTER_KEYS,
    legal_order_key,
    person_context,
    relationship_ja,
    school_grade,
)
from madoguchi.documents.engine.render import Renderer

__all__ = [
    "Binder",
    "DocumentError",
    "EVENT_JA",
    "FONT_DIR",
    "FORMATS",
    "FormSpec",
    "INSURANCE_JA",
    "MEMBER_SOURCES",
    "MOVING_OUT",
    "Overflow",
    "REGISTER_KEYS",
    "Renderer",
    "SEX_JA",
    "as_date",
    "blank_fields",
    "build_data",
    "documents_for",
    "em_width",
    "font_coverage",
    "format_postal",
    "format_postal_digits",
    "format_wareki",
    "legal_order_key",
    "load_form",
    "load_forms",
    "missing_glyphs",
    "person_context",
    "relationship_ja",
    "resolve",
    "school_grade",
    "written_chars",
]
