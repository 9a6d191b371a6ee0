"""The forms found wrong by the v2 review, each checked on the text of the printed PDF
(pypdfium2): legal basis, per-person 本籍・筆頭者・旧世帯主, 第3号 and the blank 個人番号
boxes, 出産日, the 広域連合 / mayor / name from the catalog's municipality settings, the
「見本」 mark on every page of a demo catalog, the 負担区分等証明書 only from another
prefecture, the person at the counter as 届出人 / 申請者, and the new forms of v2."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pypdfium2 as pdfium
import pytest

from madoguchi.catalog.loader import DEMO_DIR, demo_catalog, load_catalog
from madoguchi.documents.engine import DocumentError
from madoguchi.documents.samples import load_example, with_register
from madoguchi.documents.services import render_bundle
from madoguchi.rules import determine

DAY = dt.date(2027, 4, 1)


def pages(situation: dict, catalog=None, applicant=None) -> list[str]:
    catalog = catalog or demo_catalog()
    result = determine(situation, catalog)
    bundle = render_bundle(
        situation, result, catalog, ("ja",), notified_on=DAY, applicant=applicant
    )
    doc = pdfium.PdfDocument(bundle.pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def form_pages(texts: list[str], form_id: str) -> list[str]:
    found = [t for t in texts if f"様式（{form_id}）" in t]
    assert found, f"no page of {form_id}"
    return found


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def person(pid, rel, born, sex="male", **kw):
    return {"id": pid, "relationship": rel, "birth_date": born, "sex": sex, **kw}


def test_school_transfer_cites_the_catalogs_basis():
    [page] = form_pages(
        pages(with_register(load_example("move_in_family_of_four"))), "school_transfer"
    )
    assert "学校教育法施行令第5条・第6条・第10条" in flat(page)
    assert "第12条" not in page and "第13条" not in page


def test_juminido_prints_honseki_hittousha_and_former_head_per_person():
    s = {
        "event": "move_within",
        "event_date": "2027-03-20",
        "persons": [
            person(
                "p1",
                "head",
                "1950-01-01",
                register={
                    "name": "北見　一郎",
                    "honseki": "北海道北見市北一条西1丁目",
                    "hittousha": "北見　一郎",
                },
            ),
            person(
                "p2",
                "cohabitant",
                "1990-05-05",
                "female",
                register={
                    "name": "網走　花子",
                    "honseki": "北海道網走市南二条東2丁目",
                    "hittousha": "網走　次郎",
                },
            ),
            person("p3", "child", "1985-01-01", moving=False, register={"name": "北見　健"}),
        ],
    }
    [page] = form_pages(pages(s), "juminido")
    text = flat(page)
    assert (
        "北海道北見市北一条西1丁目" in text and "北海道網走市南二条東2丁目" in text
    )  # each its own
    assert "筆頭者網走次郎" in text and "筆頭者北見一郎" in text
    assert text.count("旧世帯主北見一郎") == 2  # both leave 北見 一郎's household
    # a move-in: the former head is the one at the former address (register), never the head here
    s = {
        "event": "move_in",
        "event_date": "2027-03-20",
        "persons": [
            person("p1", "head", "1950-01-01", moving=False, register={"name": "北見　一郎"}),
            person(
                "p2",
                "relative",
                "1990-05-05",
                "female",
                register={"name": "網走　花子", "former_head": "網走　次郎"},
            ),
        ],
    }
    text = flat(form_pages(pages(s), "juminido")[0])
    assert "旧世帯主網走次郎" in text and "旧世帯主北見一郎" not in text


def test_child_allowance_claim_category3_blank_number_boxes_and_the_planned_move_out():
    s = with_register(load_example("move_in_family_of_four"))
    s["persons"][0]["pension"] = "3"
    [page] = form_pages(pages(s), "child_allowance_claim")
    text = flat(page)
    assert re.search(r"レ国民年金第3号", text), text  # 第3号 is 国民年金 第3号, not その他
    assert "請求者の個人番号" in text and "配偶者の個人番号" in text
    assert not re.search(r"\d{12}", text)  # the boxes stay blank: no 個人番号 is held
    assert "マイナンバーカード等で確認のうえ" in text
    assert "転出予定日" in text and "転入・出生の日の翌日から15日" not in text
    claim = next(
        p for p in determine(s, demo_catalog())["procedures"] if p["id"] == "child_allowance.claim"
    )
    assert any("マイナンバーカード" in b and "個人番号欄" in b for b in claim["bring"])


def test_pension_todoke_prints_the_birth_date_as_birth_date():
    s = with_register(load_example("birth_low_weight_nhi_mother"))
    s["persons"][1]["pension"] = "1"  # the mother in 第1号: 産前産後期間の免除
    texts = form_pages(pages(s), "pension_todoke")
    text = flat("".join(texts))
    assert "出産日令和9年6月12日" in text
    assert "出産予定日令和" not in text  # (the note may name the 出産予定日 rule)


@pytest.fixture
def other_catalog(tmp_path):
    """The demo catalog as another municipality would set it up (not a demo)."""
    root = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, root)
    (root / "catalog.yaml").write_text(
        'municipality: other\nname: 三戸町\ncode: "999998"\nprefecture: 青森県\n'
        "mayor: 三戸町長\nelderly_union: 青森県後期高齢者医療広域連合\ndemo: false\n",
        encoding="utf-8",
    )
    return load_catalog(root)


def test_union_mayor_and_name_come_from_the_catalog(other_catalog):
    s = with_register(load_example("death_of_household_head"))
    demo = "".join(form_pages(pages(s), "funeral_expense"))
    assert "北海道後期高齢者医療広域連合" in demo and "（宛先）北見市長" in demo
    other = "".join(form_pages(pages(s, other_catalog), "funeral_expense"))
    assert "青森県後期高齢者医療広域連合" in other and "北海道" not in flat(other).split("氏名")[0]
    assert "（宛先）三戸町長" in other and "三戸町" in other


def test_every_page_of_a_demo_bundle_says_mihon(other_catalog):
    s = with_register(load_example("move_in_family_of_four"))
    demo, other = pages(s), pages(s, other_catalog)
    assert len(demo) == len(other) > 5
    for mark, plain in zip(demo, other, strict=True):  # (the sample addresses say 見本市)
        assert flat(mark).count("見本") == flat(plain).count("見本") + 1


def _elderly_move_in(same_prefecture: bool) -> dict:
    return with_register(
        {
            "event": "move_in",
            "event_date": "2027-06-01",
            "same_prefecture": same_prefecture,
            "persons": [person("p1", "head", "1945-01-01", health_insurance="elderly")],
        }
    )


def test_burden_certificate_only_from_another_prefecture():
    other = flat(form_pages(pages(_elderly_move_in(False)), "elderly_medical_ido")[0])
    assert re.search(r"レ負担区分等証明書", other)
    same = pages(_elderly_move_in(True))
    for page in [t for t in same if "様式（elderly_medical_ido）" in t]:
        assert not re.search(r"レ負担区分等証明書", flat(page))


def _death_with_a_child() -> dict:
    return with_register(
        {
            "event": "death",
            "event_date": "2027-06-01",
            "deceased": "p1",
            "persons": [
                person("p1", "head", "1960-01-01", health_insurance="nhi"),
                person("p2", "child", "2017-01-01", health_insurance="nhi"),
            ],
        }
    )


def test_the_person_at_the_counter_signs_never_a_child_by_household_order():
    s = _death_with_a_child()
    child = s["persons"][1]["register"]["name"]
    for form_id in ("cremation_permit", "funeral_expense"):
        page = flat(form_pages(pages(s), form_id)[0])
        assert flat(child) not in page.split("亡くなった方")[0] or "届出人" not in page
        assert not re.search(rf"(届出人|申請者)(氏名)?{re.escape(flat(child))}", page), form_id
    # an uncle from another household comes: he is printed
    uncle = {
        "name": "網走　三郎",
        "relationship": "亡くなった方の兄",
        "address": "北海道網走市南六条東1丁目",
    }
    texts = pages(s, applicant=uncle)
    for form_id in ("cremation_permit", "funeral_expense"):
        page = flat(form_pages(texts, form_id)[0])
        assert "網走三郎" in page and "亡くなった方の兄" in page, form_id


def test_a_household_member_chosen_at_the_counter_is_printed():
    s = with_register(load_example("death_of_household_head"))
    spouse = s["persons"][1]["register"]["name"]
    page = flat(form_pages(pages(s, applicant={"person": "p2"}), "cremation_permit")[0])
    assert flat(spouse) in page


@pytest.mark.parametrize(
    ("applicant", "field"),
    [
        ({"person": "p9"}, "applicant.person"),
        ({"person": "p1"}, "applicant.person"),  # the deceased
        ({"name": "網走　三郎"}, "applicant.relationship"),
        ({"name": "網走　三郎", "relationship": "兄", "mynumber": "1"}, "applicant.mynumber"),
    ],
)
def test_a_bad_applicant_names_the_field(applicant, field):
    s = _death_with_a_child()
    with pytest.raises(DocumentError) as info:
        render_bundle(s, determine(s, demo_catalog()), demo_catalog(), (), applicant=applicant)
    assert info.value.field == field


def test_new_forms_of_v2():
    csa = with_register(
        {
            "event": "move_in",
            "event_date": "2027-06-01",
            "persons": [
                person(
                    "p1",
                    "head",
                    "1985-01-01",
                    "female",
                    flags=["child_support_allowance_recipient"],
                ),
                person("p2", "child", "2018-06-01"),
            ],
        }
    )
    text = flat(form_pages(pages(csa), "child_support_change")[0])
    assert "児童扶養手当住所変更届・転出届" in text and re.search(r"レ住所変更届", text)
    premature = with_register(
        {
            "event": "birth",
            "event_date": "2027-06-12",
            "newborn": "p2",
            "mother": "p1",
            "birth_weight_g": 1800,
            "premature_hospitalized": True,
            "persons": [
                person("p1", "head", "1992-07-07", "female"),
                person("p2", "child", "2027-06-12"),
            ],
        }
    )
    text = flat(form_pages(pages(premature), "premature_medical")[0])
    assert "養育医療給付申請書" in text and "1800g" in text
    reduction = with_register(
        {
            "event": "move_out",
            "event_date": "2027-06-01",
            "persons": [
                person(
                    "p1",
                    "head",
                    "1980-01-01",
                    "female",
                    moving=False,
                    flags=["child_allowance_recipient"],
                ),
                person("p2", "child", "2010-06-01"),
                person("p3", "child", "2016-06-01", moving=False),
            ],
        }
    )
    text = flat(form_pages(pages(reduction), "child_allowance_change")[0])
    assert re.search(r"レ額改定届（減額）", text), text


def test_render_command_takes_the_applicant(tmp_path):
    import yaml
    from django.core.management import call_command

    situation = tmp_path / "death.yaml"
    situation.write_text(yaml.safe_dump(_death_with_a_child(), allow_unicode=True), "utf-8")
    out = tmp_path / "b.pdf"
    call_command(
        "documents", "render", str(situation), "--out", str(out), "--lang", "",
        "--applicant", "{name: 網走　三郎, relationship: 亡くなった方の兄}",
    )  # fmt: skip
    doc = pdfium.PdfDocument(out.read_bytes())
    try:
        text = flat("".join(doc[i].get_textpage().get_text_range() for i in range(len(doc))))
    finally:
        doc.close()
    assert "網走三郎" in text and "亡くなった方の兄" in text


def test_the_claim_lists_the_kids_of_the_rules_dated_age_and_parents():
    """The form's children are the rules' kids (rules.family): the child-allowance age in
    force on the event date, and a grandchild through its parents."""
    s = with_register(
        {
            "event": "move_in",
            "event_date": "2024-09-30",
            "persons": [
                person("p1", "head", "1960-01-01"),
                person("p2", "child", "1985-01-01", "female"),
                person("p3", "relative", "2008-06-01", parents=["p2"]),  # 16: not before 10-01
                person("p4", "relative", "2015-06-01", "female", parents=["p2"]),
            ],
        }
    )
    names = {p["id"]: flat(p["register"]["name"]) for p in s["persons"]}
    text = flat(form_pages(pages(s), "child_allowance_claim")[0])
    assert names["p4"] in text and names["p3"] not in text.split("支給対象となる児童")[1]
    s["event_date"] = "2024-10-01"
    text = flat(form_pages(pages(s), "child_allowance_claim")[0])
    assert names["p3"] in text.split("支給対象となる児童")[1]
