"""Visual regression: two forms rendered to pixels (pypdfium2, fixed scale) must match
the committed references within a small pixel-difference ratio. A deliberate layout
change is accepted by re-running with MADOGUCHI_UPDATE_REFERENCES=1 and committing the
new references."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import types
from pathlib import Path

import pytest

from madoguchi.catalog.loader import demo_catalog
from madoguchi.documents.samples import load_example, with_register
from madoguchi.documents.services import render_bundle
from madoguchi.rules import determine

from .pngdiff import decode_png, diff_ratio, encode_png, page_pixels

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
SCALE = 1.0  # 72 dpi: an A4 page is 595 × 842 pixels
TOLERANCE = 0.001  # share of pixels allowed to differ (pdfium is deterministic: 0.0 here)


def render_form_pixels(form_id: str, forms_catalog=None) -> tuple[int, int, bytes]:
    catalog = demo_catalog()
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    result["procedures"] = [p for p in result["procedures"] if form_id in p["forms"]]
    bundle = render_bundle(
        situation, result, forms_catalog or catalog, languages=(), notified_on=dt.date(2027, 4, 1)
    )
    return page_pixels(bundle.pdf, 0, SCALE)


def reference_pixels(form_id: str) -> tuple[int, int, bytes]:
    return decode_png((REFERENCE_DIR / f"{form_id}.png").read_bytes())


@pytest.mark.parametrize("form_id", ["juminido", "child_allowance_claim"])
def test_form_matches_reference(form_id):
    width, height, pixels = render_form_pixels(form_id)
    ref = REFERENCE_DIR / f"{form_id}.png"
    if os.environ.get("MADOGUCHI_UPDATE_REFERENCES") == "1":
        REFERENCE_DIR.mkdir(exist_ok=True)
        ref.write_bytes(encode_png(width, height, pixels))
    assert ref.exists(), f"no reference {ref.name}: run with MADOGUCHI_UPDATE_REFERENCES=1"
    ref_w, ref_h, ref_pixels = decode_png(ref.read_bytes())
    assert (width, height) == (ref_w, ref_h)
    ratio = diff_ratio(pixels, ref_pixels)
    assert ratio <= TOLERANCE, (
        f"{form_id}: {ratio:.2%} of the pixels differ from {ref.name}; if the layout change "
        "is intended, rerun with MADOGUCHI_UPDATE_REFERENCES=1 and commit the reference"
    )


@pytest.mark.parametrize(
    "old, new",
    [
        ("columns: (24mm, 1fr, 16mm, 34mm),", "columns: (24mm, 1fr, 16mm, 28mm),"),  # a column
        ("  v(1mm)\n  text(size: 8pt", "  v(3mm)\n  text(size: 8pt"),  # member table 2 mm down
    ],
    ids=["column-6mm-narrower", "table-2mm-lower"],
)
def test_a_changed_layout_fails_against_the_reference(tmp_path, old, new):
    """A small edit of the committed juminido template breaks the comparison."""
    catalog = demo_catalog()
    shutil.copytree(catalog.path / "forms", tmp_path / "forms")
    template = tmp_path / "forms" / "juminido" / "template.typ"
    text = template.read_text(encoding="utf-8")
    assert old in text
    template.write_text(text.replace(old, new, 1), encoding="utf-8")
    local = types.SimpleNamespace(
        path=tmp_path, name=catalog.name, code=catalog.code, events=catalog.events,
        procedure=catalog.procedure, department=catalog.department,
    )  # fmt: skip
    width, height, pixels = render_form_pixels("juminido", local)
    ref_w, ref_h, ref_pixels = reference_pixels("juminido")
    assert (width, height) == (ref_w, ref_h)
    assert diff_ratio(pixels, ref_pixels) > TOLERANCE


def test_a_layout_change_is_detected():
    """The comparison is sensitive enough: another form differs beyond the tolerance."""
    _, _, juminido = render_form_pixels("juminido")
    _, _, claim = render_form_pixels("child_allowance_claim")
    assert diff_ratio(juminido, claim) > TOLERANCE * 5
