"""The English guide sheet is English: every text it prints comes from the catalog's
`en:` blocks or the guide labels; only registered names stay as registered."""

from __future__ import annotations

import datetime as dt
import re

import pypdfium2 as pdfium
import pytest
import yaml

from madoguchi.catalog.loader import DEMO_DIR as DEMO_CATALOG_DIR
from madoguchi.catalog.loader import demo_catalog
from madoguchi.documents.samples import example_names, load_example, with_register
from madoguchi.documents.services import build_guide, guide_labels, render_bundle
from madoguchi.rules import determine
from madoguchi.rules.tests.test_scenarios import SCENARIO_DIR

DAY = dt.date(2027, 4, 1)
# kana, CJK punctuation, ideographs (BMP, compatibility, planes 2-3), full-width forms
JAPANESE = re.compile(
    "[\u3000-\u303f\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff00-\uffef\U00020000-\U0003ffff]"
)


@pytest.fixture(scope="module")
def catalog():
    return demo_catalog()


def all_situations() -> list[dict]:
    out = [load_example(n) for n in example_names()]
    for path in sorted(SCENARIO_DIR.glob("*.yaml")):
        for sc in yaml.safe_load(path.read_text(encoding="utf-8"))["scenarios"]:
            out += [sc["situation"]] if "situation" in sc else list(sc["visit"])
    return out


def japanese_strings(obj) -> list[str]:
    if isinstance(obj, str):
        return [obj] if JAPANESE.search(obj) else []
    if isinstance(obj, dict):
        return [s for v in obj.values() for s in japanese_strings(v)]
    if isinstance(obj, list):
        return [s for v in obj for s in japanese_strings(v)]
    return []


def test_every_catalog_text_the_guide_prints_has_english(catalog):
    missing = []
    for pid, versions in catalog.procedures.items():
        for p in versions:
            en = p.en
            if not en.get("name"):
                missing.append(f"{pid}: en.name")
            if len(en.get("bring") or []) != len(p.bring):
                missing.append(f"{pid}: en.bring")
            if (p.deadline or {}).get("text") and not (p.deadline.get("en") or {}).get("text"):
                missing.append(f"{pid}: deadline.en.text")
            if p.no_form and not en.get("no_form"):
                missing.append(f"{pid}: en.no_form")
            for t in p.triggers:
                if t.name and not t.en_name:
                    missing.append(f"{pid}: trigger {t.name} en.name")
    for did, d in catalog.departments.items():
        if not (d.en.get("name") and d.en.get("place")):
            missing.append(f"department {did}")
    for eid, e in catalog.events.items():
        if not e.en.get("name"):
            missing.append(f"event {eid}")
    assert catalog.meta.get("en", {}).get("name")
    assert missing == []


def test_english_guide_of_every_example_and_scenario_is_english(catalog):
    labels = guide_labels(DEMO_CATALOG_DIR)
    situations = all_situations()
    assert len(situations) >= 100
    for s in situations:
        result = determine(s, catalog)
        guide = build_guide(s, result, catalog, labels, ("en",), DAY)
        # no register blocks here: persons are shown by their relationship, in English
        assert japanese_strings(guide) == [], (s["event"], japanese_strings(guide))
        remaining = guide["languages"][0]["remaining"]
        no_form = [p for p in result["procedures"] if not p["forms"]]
        assert len(remaining) == len(no_form)
        for r, p in zip(remaining, no_form, strict=True):  # the reason, in English
            assert r["what"].startswith(catalog.procedure(p["id"]).en["no_form"] + ". ")


def test_no_form_reason_and_deadline_wording_in_english(catalog):
    s = load_example("move_in_family_of_four")
    guide = build_guide(
        s, determine(s, catalog), catalog, guide_labels(DEMO_CATALOG_DIR), ("en",), DAY
    )
    g = guide["languages"][0]
    nursery = next(r for r in g["remaining"] if r["name"] == "Nursery application")
    assert nursery["what"] == (
        "Handled by the department in charge (no form). "
        "Please go to Nursery Division (Main building 2F, counter 12)."
    )
    move_in = next(p for p in g["procedures"] if p["id"] == "registry.move_in")
    assert move_in["deadline"] == "by 2027-04-15 (Within 14 days of moving in)"
    assert move_in["persons"] == "head, spouse, child, child"
    assert g["municipality"] == "Kitami City (demo)"


def test_english_guide_page_text_is_english_except_names(catalog):
    situation = with_register(load_example("death_of_household_head"))
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, languages=("en",), notified_on=DAY)
    doc = pdfium.PdfDocument(bundle.pdf)
    try:
        texts = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    guide = "".join(texts[len(bundle.documents) :])
    assert "Guide to your procedures" in guide and "What remains" in guide
    assert "SAMPLE" in re.sub(r"\s+", "", guide)  # the demo catalog's mark, in the guide's language
    names = {p["register"]["name"] for p in situation["persons"]}
    rest = guide
    for name in names:
        rest = rest.replace(name, "")
    assert JAPANESE.findall(rest) == []
    # family_register.death has no form: its statutory-form reason is printed in English
    assert "statutory form" in re.sub(r"\s+", " ", guide)
