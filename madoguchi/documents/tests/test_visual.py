"""Visual regression: two forms rendered to pixels (pypdfium2, fixed scale) must match
the committed references within a small pixel-difference ratio. A deliberate layout
change is accepted by re-running with MADOGUCHI_UPDATE_REFERENCES=1 and committing the
new references."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from madoguchi.catalog.loader import demo_catalog
from madoguchi.documents.services import render_bundle
from madoguchi.rules import determine

from .pngdiff import decode_png, diff_ratio, encode_png, page_pixels
from .samples import load_example, with_register

REFERENCE_DIR = Path(__file__).resolve().parent / "reference"
SCALE = 1.0  # 72 dpi: an A4 page is 595 × 842 pixels
TOLERANCE = 0.003  # share of pixels allowed to differ (anti-aliasing noise)


def render_form_pixels(form_id: str) -> tuple[int, int, bytes]:
    catalog = demo_catalog()
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    result["procedures"] = [p for p in result["procedures"] if form_id in p["forms"]]
    bundle = render_bundle(
        situation, result, catalog, languages=(), notified_on=dt.date(2027, 4, 1)
    )
    return page_pixels(bundle.pdf, 0, SCALE)


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


def test_a_layout_change_is_detected():
    """The comparison is sensitive enough: another form differs beyond the tolerance."""
    _, _, juminido = render_form_pixels("juminido")
    _, _, claim = render_form_pixels("child_allowance_claim")
    assert diff_ratio(juminido, claim) > TOLERANCE * 5
