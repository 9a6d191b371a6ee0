"""The 出生届 of twins and the forms of a deceased from outside, rendered from the
situation alone (no counter): one 出生届 per newborn with its 父母との続き柄 and its own
weight on the 出生連絡票; a death registered here of someone who lived elsewhere prints
only the 火葬許可申請書 (the 死亡届 is the statutory form)."""

import datetime as dt
import io

import pypdfium2 as pdfium

from madoguchi.catalog.loader import demo_catalog
from madoguchi.documents.services import render_bundle
from madoguchi.rules import determine

ADDRESS = {"postal_code": "0900024", "address": "北海道北見市北四条東3丁目1番地"}
HONSEKI = {"honseki": "北海道北見市北四条東3丁目1番地", "hittousha": "北見　太郎"}


def _pages(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(io.BytesIO(pdf))
    return [doc[i].get_textpage().get_text_range().replace(" ", "") for i in range(len(doc))]


def _newborn(pid, name, sex, time):
    reg = {"name": name, "kana": "キタミ　コ", "birth_time": time, "birth_place": "北見赤十字病院"}
    return {"id": pid, "relationship": "child", "birth_date": "2027-06-12", "sex": sex,
            "health_insurance": "nhi", "register": {**reg, **ADDRESS, **HONSEKI}}  # fmt: skip


def test_twins_get_one_birth_registration_each():
    s = {
        "event": "birth",
        "event_date": "2027-06-12",
        "newborn": "p3",
        "newborns": ["p3", "p4"],
        "mother": "p2",
        "birth_weight_g": {"p3": 2620, "p4": 2310},
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1990-02-02", "sex": "male",
             "health_insurance": "nhi", "pension": "1",
             "register": {"name": "北見　太郎", **ADDRESS, **HONSEKI}},
            {"id": "p2", "relationship": "spouse", "birth_date": "1992-07-07", "sex": "female",
             "health_insurance": "nhi", "pension": "1",
             "register": {"name": "北見　𠮷子", **ADDRESS, "cohabit_since": "令和5年4月",
                          "household_work": "3"}},
            _newborn("p3", "北見　髙美", "female", "09:12"),
            _newborn("p4", "北見　﨑斗", "male", "09:31"),
        ],
    }  # fmt: skip
    cat = demo_catalog()
    bundle = render_bundle(
        s, determine(s, cat), cat, notified_on=dt.date(2027, 6, 15), applicant={"person": "p1"}
    )
    forms = [d["form"] for d in bundle.documents]
    assert forms.count("birth_registration") == 2 and forms.count("birth_notice") == 2
    pages = _pages(bundle.pdf)
    first, second = (p for p in pages if "出生届" in p and "父母との" in p)
    assert "北見\u3000髙美" in first and "（長女）" in first and "09:12" in first
    assert "北見\u3000﨑斗" in second and "（長男）" in second  # counted by sex
    for page in (first, second):
        assert "北見\u3000𠮷子" in page and "令和5年4月" in page and "（満34歳）" in page
    notices = [p for p in pages if "出生連絡票" in p and "北見赤十字病院" in p]
    assert "2620" in notices[0] and "2310" in notices[1]  # each its own weight
    blank = {(b["form"], b["field"]) for b in bundle.blank}
    assert ("birth_registration", "cohabit_since") not in blank


def test_a_deceased_from_outside_prints_the_cremation_permit_only():
    s = {
        "event": "death",
        "event_date": "2027-06-12",
        "deceased": "p9",
        "persons": [
            {"id": "p9", "outside": True, "birth_date": "1948-03-03", "sex": "male",
             "register": {"name": "網走　次郎", "address": "北海道網走市南六条東1丁目1番地",
                          "death_place": "北見赤十字病院"}},
        ],
    }  # fmt: skip
    cat = demo_catalog()
    result = determine(s, cat)
    assert [p["id"] for p in result["procedures"]] == ["family_register.death", "cremation.permit"]
    applicant = {"name": "網走　花子", "relationship": "妻", "address": "北海道網走市"}
    bundle = render_bundle(s, result, cat, notified_on=dt.date(2027, 6, 13), applicant=applicant)
    assert [d["form"] for d in bundle.documents] == ["cremation_permit"]
    text = "".join(_pages(bundle.pdf))
    assert "網走\u3000次郎" in text and "網走\u3000花子" in text and "北見赤十字病院" in text
