"""Every form of the demo catalog, rendered from a situation that needs it: its page's
text layer holds the registered names exactly (𠮷 U+20BB7, 髙, 﨑 U+FA11 and an IVS
sequence) and its dates in 和暦."""

from __future__ import annotations

import copy
import datetime as dt
import re

import pypdfium2 as pdfium
import pytest
import yaml

from madoguchi.catalog.loader import demo_catalog
from madoguchi.core.wareki import format_wareki
from madoguchi.documents.samples import IVS_KATSU, example_names, load_example, with_register
from madoguchi.documents.services import render_bundle
from madoguchi.rules import determine
from madoguchi.rules.tests.test_scenarios import SCENARIO_DIR

DAY = dt.date(2027, 4, 1)
SPECIAL = ("\U00020bb7", "\u9ad9", "\ufa11", IVS_KATSU)
GIVEN = ["一郎", "花子", "翔太", "結衣", "和夫", "幸子", "健", "葵"]


def registered(situation: dict) -> dict:
    """Register blocks whose every name carries 𠮷, 髙, 﨑 and the IVS sequence."""
    s = with_register(copy.deepcopy(situation))
    for i, p in enumerate(s["persons"]):
        p["register"]["name"] = f"𠮷髙　{IVS_KATSU}﨑{GIVEN[i % len(GIVEN)]}"
        p["register"]["hittousha"] = s["persons"][0]["register"]["name"]
    return s


def situations_by_form(catalog) -> dict[str, dict]:
    found: dict[str, dict] = {}
    candidates = [load_example(n) for n in example_names()]
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for sc in yaml.safe_load(path.read_text("utf-8"))["scenarios"]:
            if "situation" in sc:
                candidates.append(sc["situation"])
    for s in candidates:
        for p in determine(s, catalog)["procedures"]:
            for fid in p["forms"]:
                found.setdefault(fid, s)
    return found


@pytest.fixture(scope="module")
def catalog():
    return demo_catalog()


def page_text(pdf: bytes, index: int) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[index].get_textpage().get_text_range()
    finally:
        doc.close()


def test_every_form_is_reachable(catalog):
    assert set(situations_by_form(catalog)) == set(catalog.forms)


def test_every_form_prints_registered_names_and_wareki(catalog):
    for fid, situation in sorted(situations_by_form(catalog).items()):
        s = registered(situation)
        result = determine(s, catalog)
        bundle = render_bundle(s, result, catalog, languages=(), notified_on=DAY)
        names = [p["register"]["name"] for p in s["persons"]]
        index = next(i for i, d in enumerate(bundle.documents) if d["form"] == fid)
        text = page_text(bundle.pdf, index)
        assert any(n in text for n in names), fid  # a whole name, exact code points
        for ch in SPECIAL:
            assert ch in text, (fid, ch)
        for n in names:  # no character replaced by its common form
            for variant, common in (("\U00020bb7", "吉"), ("髙", "高"), ("\ufa11", "崎")):
                assert n.replace(variant, common) not in text, (fid, common)
            assert n.replace("\U000e0102", "") not in text.replace(n, ""), fid
        flat = re.sub(r"[ \r\n]+", "", text)
        assert format_wareki(DAY) in flat, fid  # 届出日 令和9年4月1日
        assert not re.search(r"(?<![\d-])(19|20)\d\d-\d\d-\d\d(?![\d-])", flat), fid  # no ISO date
