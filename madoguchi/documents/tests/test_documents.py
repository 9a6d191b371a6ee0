"""The bundle as the resident receives it: text layer, fonts, forms per example,
overflow, handwriting count, command line. Pure (no database)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import types
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from madoguchi.catalog.loader import DEMO_DIR as DEMO_CATALOG_DIR
from madoguchi.catalog.loader import demo_catalog
from madoguchi.documents.engine import DocumentError, written_chars
from madoguchi.documents.samples import (
    FAMILY,
    IVS_KATSU,
    example_names,
    load_example,
    with_register,
)
from madoguchi.documents.services import render_bundle
from madoguchi.rules import determine

DAY = dt.date(2027, 4, 1)


def page_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()


def squeeze(text: str) -> str:
    """pdfium puts ASCII spaces between glyphs it finds apart; the registered name's own
    ideographic space U+3000 is kept."""
    return re.sub(r"[ \r\n]+", "", text)


@pytest.fixture(scope="module")
def catalog():
    return demo_catalog()


@pytest.fixture(scope="module")
def family(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    # the English guide sheet too: it is printed when the resident asks for it
    bundle = render_bundle(situation, result, catalog, ("ja", "en"), notified_on=DAY)
    return situation, result, bundle


def test_default_bundle_has_the_japanese_guide_sheet_only(family, catalog):
    situation, result, with_english = family
    bundle = render_bundle(situation, result, catalog, notified_on=DAY)
    texts = page_texts(bundle.pdf)
    assert bundle.pages == len(texts) == with_english.pages - 1
    assert "手続き案内票" in texts[-1]
    assert not any("Guide to your procedures" in t for t in texts)


def test_text_layer_keeps_registered_code_points(family):
    _, _, bundle = family
    texts = page_texts(bundle.pdf)
    juminido = texts[0]
    assert "住民異動届" in squeeze(juminido).replace("\u3000", "")
    for name, _kana in FAMILY.values():
        assert name in juminido, name  # exact code points: 𠮷, 髙, 﨑, IVS
    everything = "".join(texts)
    assert "\U00020bb7" in everything  # 𠮷 outside the BMP, not 吉
    assert IVS_KATSU in everything  # 葛 + U+E0102 survives in the text layer
    assert "\u9ad9" in everything and "\ufa11" in everything  # 髙 and 﨑 not normalised
    assert "\u9ad8志" not in everything and "美\u5d0e" not in everything


def test_wareki_dates_and_postal_code(family):
    _, _, bundle = family
    page = squeeze(page_texts(bundle.pdf)[0])
    assert "令和9年4月1日" in page  # 届出日 and 異動日
    assert "昭和60年6月1日" in page  # p1 born 1985-06-01
    assert "平成29年6月10日" in page and "令和5年2月20日" in page
    assert "〒090-0024" in page


def test_gannen_on_forms(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    situation["persons"][3]["birth_date"] = "2019-05-01"  # first day of 令和
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, languages=(), notified_on=DAY)
    assert "令和元年5月1日" in squeeze(page_texts(bundle.pdf)[0])


def test_fonts_embedded_and_subset(family):
    pdf = family[2].pdf
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Z]{6}\+[A-Za-z0-9-]+)", pdf))
    names = {f.split(b"+", 1)[1] for f in fonts}
    assert any(n.startswith(b"IPAmjMincho") for n in names), names
    assert any(n.startswith(b"NotoSansCJK") for n in names), names
    base_fonts = re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", pdf)
    assert base_fonts and all(re.match(rb"[A-Z]{6}\+", f) for f in base_fonts)  # all subset
    descriptors = len(re.findall(rb"/Type\s*/FontDescriptor", pdf))
    assert descriptors == len(re.findall(rb"/FontFile[23]?\s", pdf))  # all embedded


def test_bundle_holds_each_form_per_person_then_guide(family, catalog):
    situation, result, bundle = family
    expected = []
    for proc in result["procedures"]:
        for fid in proc["forms"]:
            per = catalog.forms[fid]["per"]
            expected += (
                [(fid, p) for p in proc["persons"]] if per == "person" else [(fid, "household")]
            )
    assert len(bundle.documents) == len(set(expected))
    texts = page_texts(bundle.pdf)
    assert bundle.pages == len(texts) == len(bundle.documents) + 2  # ja + en guide
    guide_ja, guide_en = squeeze(texts[-2]), texts[-1]
    assert "手続き案内票" in guide_ja and "Guide to your procedures" in guide_en
    for proc in result["procedures"]:
        dept = catalog.department(proc["department"])
        assert squeeze(proc["name"]) in guide_ja.replace("\u3000", "")
        assert squeeze(dept.place) in guide_ja, dept.place
        assert squeeze(catalog.procedure(proc["id"]).en["name"]) in squeeze(guide_en)
    # procedures without a form are listed as still to do
    remaining = [p for p in result["procedures"] if not p["forms"]]
    assert remaining and "これからの手続き" in guide_ja


@pytest.mark.parametrize("name", example_names())
def test_every_example_renders(name, catalog):
    situation = with_register(load_example(name), seed=len(name))
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, notified_on=DAY)
    forms = {f for p in result["procedures"] for f in p["forms"]}
    assert {d["form"] for d in bundle.documents} == forms
    texts = page_texts(bundle.pdf)
    assert len(texts) == bundle.pages >= len(bundle.documents) + 1  # + the guide sheet
    head = next(p for p in situation["persons"] if p["relationship"] == "head")
    if forms:
        assert any(head["register"]["name"] in t for t in texts[: len(bundle.documents)])
    assert bundle.handwritten_chars > 0 if forms else bundle.handwritten_chars == 0
    guide = squeeze("".join(texts[len(bundle.documents) :])).replace("\u3000", "")
    for proc in result["procedures"]:  # the result's own wording, e.g. 国民健康保険 世帯主変更
        assert squeeze(proc["name"]).replace("\u3000", "") in guide, proc["id"]


def test_overflow_goes_to_the_list_not_cut(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    long_address = "北海道見本市北四条東3丁目1番地" + "の2" * 30 + "（長い住所の確認用）"
    medium = "北海道見本市北四条東三丁目一番地サンプル大通り二十一"  # > box, shrinks
    situation["persons"][0]["register"]["former_address"] = long_address
    situation["persons"][0]["register"]["address"] = medium
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, notified_on=DAY)
    flagged = [o for o in bundle.overflow if o["value"] == long_address]
    assert flagged and all(o["form"] for o in flagged)
    assert not any(o["value"] == medium for o in bundle.overflow)
    texts = page_texts(bundle.pdf)
    overflow_page = texts[len(bundle.documents)]
    assert "超過リスト" in squeeze(overflow_page).replace("\u3000", "")
    assert squeeze(long_address) in squeeze(overflow_page)
    assert bundle.pages == len(bundle.documents) + 2  # + overflow list + guide sheet
    assert f"超過リストNo.{flagged[0]['ref']}" in squeeze(texts[0])  # the box points to it
    assert medium in texts[0]  # shrunk but whole


def _local_catalog(tmp_path: Path, catalog) -> types.SimpleNamespace:
    """The demo catalog with its forms folder at ``tmp_path/forms`` (edited copies)."""
    return types.SimpleNamespace(
        path=tmp_path, name=catalog.name, code=catalog.code, events=catalog.events,
        procedure=catalog.procedure, department=catalog.department,
    )  # fmt: skip


def _tiny_catalog(tmp_path: Path) -> types.SimpleNamespace:
    """A catalog with one tiny per-person form: name + address, and the engine's
    shared library and guide (copied from the demo catalog)."""
    forms = tmp_path / "forms"
    for part in ("_lib", "_guide"):
        shutil.copytree(DEMO_CATALOG_DIR / "forms" / part, forms / part)
    (forms / "tiny").mkdir()
    (forms / "tiny" / "form.yaml").write_text(
        "id: tiny\nname: テスト届\nper: person\nprocedures: [registry.move_within]\n"
        "fields:\n"
        "  - {id: name, from: person.name, fit: {chars: 10}}\n"
        "  - {id: address, from: [person.address, person.address_extra]}\n"
        "  - {id: office, value: 受付済, handwritten: false}\n",
        encoding="utf-8",
    )
    (forms / "tiny" / "template.typ").write_text(
        '#import "/_lib/components.typ": *\n'
        "#let form(d) = [#name(d.f.name) #addr(d.f.address) #val(d.f.office)]\n",
        encoding="utf-8",
    )
    return types.SimpleNamespace(path=tmp_path, name="テスト市", code="999999")


def test_handwritten_chars_small_case(tmp_path):
    catalog = _tiny_catalog(tmp_path)
    situation = {
        "event": "move_within",
        "event_date": "2027-04-01",
        "persons": [
            {"id": "a", "relationship": "head", "birth_date": "1980-01-01", "sex": "male",
             "register": {"name": "𠮷田　太郎", "address": "デモ市1番地", "address_extra": "2号"}},
            {"id": "b", "relationship": "spouse", "birth_date": "1981-01-01", "sex": "female",
             "register": {"name": f"{IVS_KATSU}西　花", "address": "デモ市1番地"}},
        ],
    }  # fmt: skip
    result = {"procedures": [{"id": "registry.move_within", "persons": ["a", "b"],
                              "forms": ["tiny"], "name": "転居届", "department": "citizen"}]}  # fmt: skip
    bundle = render_bundle(situation, result, catalog, languages=(), notified_on=DAY)
    # a: 𠮷田太郎 (4) + デモ市1番地 (6) + 2号 (2); b: 葛西花 (3, the IVS selector is not a
    # character one writes) + デモ市1番地 (6); the office stamp is not handwritten.
    assert bundle.handwritten_chars == (4 + 6 + 2) + (3 + 6)
    assert written_chars(f"{IVS_KATSU}西　花") == 3
    assert bundle.pages == 2 and [d["copy"] for d in bundle.documents] == [1, 2]
    text = "".join(page_texts(bundle.pdf))
    assert "𠮷田\u3000太郎" in text and f"{IVS_KATSU}西\u3000花" in text


def test_household_order_is_legal_order(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    situation["persons"].reverse()  # children first in the input
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, languages=(), notified_on=DAY)
    page = page_texts(bundle.pdf)[0]
    table = page[page.index("マイナンバーカード") :]
    positions = [table.index(FAMILY[p][0]) for p in ("p1", "p2", "p3", "p4")]
    assert positions == sorted(positions)  # 世帯主, 妻, then children by birth date


def test_unknown_register_key_is_named(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    situation["persons"][1]["register"]["adress"] = "typo"
    result = determine(situation, catalog)
    with pytest.raises(DocumentError) as err:
        render_bundle(situation, result, catalog, notified_on=DAY)
    assert err.value.field == "persons[p2].register.adress"


def test_command_renders_and_rejects(tmp_path, capsys):
    import yaml
    from django.core.management import call_command
    from django.core.management.base import CommandError

    src = tmp_path / "situation.yaml"
    src.write_text(
        yaml.safe_dump(with_register(load_example("move_out_elderly_couple")), allow_unicode=True),
        encoding="utf-8",
    )
    out = tmp_path / "bundle.pdf"
    call_command("documents", "render", str(src), "--out", str(out), "--date", "2027-04-01")
    assert out.read_bytes().startswith(b"%PDF")
    assert "pages" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("event: move_in\nevent_date: 2027-02-30\npersons: []\n", encoding="utf-8")
    with pytest.raises(CommandError) as err:
        call_command("documents", "render", str(bad), "--out", str(tmp_path / "x.pdf"))
    assert "event_date" in str(err.value)
    assert not (tmp_path / "x.pdf").exists()


def test_ivs_selects_the_registered_glyph(tmp_path):
    """IPAmj明朝's variation sequences are applied: 辻 + U+E0102 prints another glyph than
    辻 alone (and the text layer keeps the selector)."""
    from .pngdiff import diff_ratio, page_pixels

    catalog = _tiny_catalog(tmp_path)
    pixels, texts = [], []
    for name in ("辻\U000e0102", "辻"):
        situation = {
            "event": "move_within",
            "event_date": "2027-04-01",
            "persons": [{"id": "a", "relationship": "head", "birth_date": "1980-01-01",
                         "sex": "male", "register": {"name": name}}],
        }  # fmt: skip
        result = {"procedures": [{"id": "registry.move_within", "persons": ["a"],
                                  "forms": ["tiny"], "name": "転居届", "department": "citizen"}]}  # fmt: skip
        pdf = render_bundle(situation, result, catalog, languages=(), notified_on=DAY).pdf
        pixels.append(page_pixels(pdf, 0, 2.0)[2])
        texts.append(page_texts(pdf)[0])
    assert "辻\U000e0102" in texts[0] and "\U000e0102" not in texts[1]
    assert diff_ratio(pixels[0], pixels[1], threshold=16) > 0


def test_large_household_continues_on_a_second_sheet(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    for i in range(3):  # seven movers: the 住民異動届 holds five
        extra = dict(situation["persons"][3], id=f"c{i}", birth_date=f"201{i}-01-0{i + 1}")
        extra["register"] = dict(extra["register"], name=f"𠮷田　子{i}")
        extra.pop("flags", None)
        situation["persons"].append(extra)
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, languages=(), notified_on=DAY)
    juminido = [d for d in bundle.documents if d["form"] == "juminido"]
    assert [d["copy"] for d in juminido] == [1, 2]
    texts = page_texts(bundle.pdf)
    first, second = squeeze(texts[0]), squeeze(texts[1])
    assert "続紙1／2" in first and "続紙2／2" in second
    names = [squeeze(p["register"]["name"]) for p in situation["persons"]]
    assert sum(n in first for n in names) >= 5 and any(n in second for n in names)


def test_visit_of_two_events_prints_the_move_addresses(catalog):
    from madoguchi.rules import determine_visit

    base = with_register(load_example("marriage_surname_change"))
    marriage = base
    move = {k: v for k, v in base.items() if k not in ("couple", "surname_changes")}
    move = dict(move, event="move_within", persons=[dict(p) for p in base["persons"]])
    new_address = "北海道見本市南一条西9丁目"
    for p in move["persons"]:
        old = p["register"]["address"]
        p["register"] = dict(
            p["register"], address=new_address, former_address=old, honseki="東京都千代田区1番"
        )
    result = determine_visit([marriage, move], catalog)
    assert "registry.move_within" in {p["id"] for p in result["procedures"]}
    bundle = render_bundle([marriage, move], result, catalog, languages=(), notified_on=DAY)
    juminido = [i for i, d in enumerate(bundle.documents) if d["form"] == "juminido"][0]
    page = squeeze(page_texts(bundle.pdf)[juminido])
    assert squeeze(new_address) in page  # 新住所 from the move event's situation
    assert "旧住所北海道見本市北四条東3丁目1番地" in page  # its former address


def test_command_renders_a_visit_of_two_events(tmp_path):
    import yaml
    from django.core.management import call_command

    marriage = with_register(load_example("marriage_surname_change"))
    move = {k: v for k, v in marriage.items() if k not in ("couple", "surname_changes")}
    move["event"] = "move_within"
    src = tmp_path / "visit.yaml"
    src.write_text(yaml.safe_dump([marriage, move], allow_unicode=True), encoding="utf-8")
    out = tmp_path / "visit.pdf"
    call_command("documents", "render", str(src), "--out", str(out), "--lang", "ja")
    text = squeeze("".join(page_texts(out.read_bytes())))
    assert "住民異動届" in text.replace("\u3000", "") and "手続き案内票" in text


def test_fit_shrinks_then_flags():
    from madoguchi.documents.engine import Binder, FormSpec, em_width

    form = FormSpec("f", "様式", "person", [], [], None, Path("."))
    overflow = []
    binder = Binder(form, 1, overflow)
    spec = {"id": "name", "label": "氏名", "from": "person.name", "fit": {"chars": 10}}
    fits = binder.bind(spec, {"person": {"name": "髙橋　一郎"}})
    assert fits == {"text": "髙橋　一郎", "scale": 1.0, "ref": 0}
    twelve = "寿限無寿限無五劫の擦り切"
    shrunk = binder.bind(spec, {"person": {"name": twelve}})
    assert shrunk["scale"] == round(10 / 12, 3) and shrunk["text"] == twelve and not overflow
    long = twelve * 2  # 24 characters: 10/24 < min_scale 0.6
    flagged = binder.bind(spec, {"person": {"name": long}})
    assert flagged["text"] == "" and flagged["ref"] == 1
    assert overflow[0].value == long and overflow[0].label == "氏名"
    assert em_width("ABCD") == 2 and em_width("辻\U000e0102") == 1
    cells = {"id": "kana", "from": "person.kana", "fit": {"cells": 4}}
    assert binder.bind(cells, {"person": {"kana": "ヨシダ"}})["cells"] == ["ヨ", "シ", "ダ"]
    assert binder.bind(cells, {"person": {"kana": "ヨシダタロウ"}})["ref"] == 2


@pytest.mark.parametrize("name", example_names())
def test_every_counted_field_is_printed(name, catalog):
    """What counts as handwriting saved is printed: every value of a field counted as
    handwritten appears in the text of its own page."""
    from madoguchi.documents.engine import build_data
    from madoguchi.documents.services import forms_of, municipality_of

    forms = forms_of(catalog.path)
    situation = with_register(load_example(name), seed=2)
    result = determine(situation, catalog)
    data, _, _ = build_data(situation, result, forms, municipality_of(catalog), None, DAY)
    texts = page_texts(render_bundle(situation, result, catalog, languages=(), notified_on=DAY).pdf)
    for i, doc in enumerate(data["documents"]):
        form = forms[doc["form"]]
        counted = {f["id"] for f in form.fields if f.get("handwritten", True)}
        counted_m = {f["id"] for f in (form.members or {}).get("fields", []) if f.get("handwritten", True)}  # fmt: skip
        page = squeeze(texts[i]).replace("\u3000", "")
        values = [(k, v) for k, v in doc["f"].items() if k in counted]
        values += [(k, m[k]) for m in doc["members"] for k in counted_m]
        for key, value in values:
            shown = squeeze(value["text"]).replace("\u3000", "").replace("〒", "")
            assert shown.replace("-", "") in page.replace("-", ""), (doc["form"], key, shown)


def test_school_grade_computed_or_registered(catalog):
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    one = dict(
        result, procedures=[p for p in result["procedures"] if "school_transfer" in p["forms"]]
    )
    page = squeeze(page_texts(render_bundle(situation, one, catalog, languages=()).pdf)[0])
    assert "小学校4年" in page  # born 2017-06-10: school from April 2024, 4th year in April 2027
    situation["persons"][2]["register"]["grade"] = "小学校3年（特別支援学級）"
    page = squeeze(page_texts(render_bundle(situation, one, catalog, languages=()).pdf)[0])
    assert "小学校3年（特別支援学級）" in page and "小学校4年" not in page


def test_adults_apply_for_themselves_children_and_the_deceased_do_not(family, catalog):
    _, _, bundle = family
    texts = page_texts(bundle.pdf)
    cards = [texts[i] for i, d in enumerate(bundle.documents) if d["form"] == "mynumber_card"]
    assert len(cards) == 2
    for page, pid in zip(cards, ("p1", "p2"), strict=True):
        name = FAMILY[pid][0]
        assert page.count(name) >= 2 and "関係本人" in squeeze(page)  # カード所有者 and 申請者
    situation = with_register(load_example("death_of_household_head"), seed=1)
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, languages=(), notified_on=DAY)
    deceased = next(p for p in situation["persons"] if p["id"] == situation["deceased"])
    i = [d["form"] for d in bundle.documents].index("cremation_permit")
    page = page_texts(bundle.pdf)[i]
    assert page.count(deceased["register"]["name"]) >= 1 and "関係本人" not in squeeze(page)


def test_a_character_no_font_has_is_listed(catalog):
    """A legacy 外字 (private use area) cannot print as registered: it is listed on the
    超過リスト page instead of vanishing as an empty box."""
    situation = with_register(load_example("move_in_family_of_four"))
    situation["persons"][0]["register"]["name"] = "\ue000田　太郎"
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, languages=(), notified_on=DAY)
    glyphs = [o for o in bundle.overflow if o["kind"] == "glyph"]
    assert glyphs and all("U+E000" in o["label"] for o in glyphs)
    assert {o["form"] for o in glyphs} >= {"juminido", "mynumber_card", "child_allowance_claim"}
    assert not [o for o in bundle.overflow if o["kind"] == "overflow"]
    page = squeeze(page_texts(bundle.pdf)[len(bundle.documents)])
    assert "外字" in page and "U+E000" in page


def test_variation_sequences_are_checked_against_the_fonts():
    from madoguchi.documents.engine import missing_glyphs

    assert missing_glyphs(f"𠮷田　{IVS_KATSU}子 辻\U000e0102 髙﨑") == []  # in IPAmj明朝
    unknown = "吉\U000e01ee"  # a selector IPAmj明朝 has no glyph for: the base would print
    assert missing_glyphs(f"田{unknown}") == [unknown]
    assert missing_glyphs("\ue000子") == ["\ue000"]


def test_another_language_is_catalog_data(tmp_path, catalog):
    """A guide sheet in Portuguese needs only a labels block in the catalog's forms."""
    import yaml

    shutil.copytree(catalog.path / "forms", tmp_path / "forms")
    labels_path = tmp_path / "forms" / "_guide" / "labels.yaml"
    labels = yaml.safe_load(labels_path.read_text(encoding="utf-8"))
    pt = dict(labels["en"], title="Guia dos seus procedimentos")
    pt["procedures"] = {"registry.move_in": "Notificação de mudança (entrada)"}
    labels["pt"] = pt
    labels_path.write_text(yaml.safe_dump(labels, allow_unicode=True), encoding="utf-8")
    local = _local_catalog(tmp_path, catalog)
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, local, languages=("ja", "pt"), notified_on=DAY)
    guide_pt = " ".join(page_texts(bundle.pdf)[-1].split())  # lines wrap in the table
    assert "Guia dos seus procedimentos" in guide_pt
    assert "Notificação de mudança (entrada)" in guide_pt
    with pytest.raises(DocumentError) as err:
        render_bundle(situation, result, catalog, languages=("fr",), notified_on=DAY)
    assert err.value.field == "languages"


def test_yaml_dates_are_accepted(catalog):
    situation = with_register(load_example("move_out_elderly_couple"))
    situation["event_date"] = dt.date.fromisoformat(situation["event_date"])
    for p in situation["persons"]:
        p["birth_date"] = dt.date.fromisoformat(p["birth_date"])
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, catalog, notified_on=DAY)
    birth = situation["persons"][0]["birth_date"]
    from madoguchi.core.wareki import format_wareki

    assert squeeze(format_wareki(birth)) in squeeze(page_texts(bundle.pdf)[0])


def test_a_department_changes_a_form_without_python(tmp_path, catalog):
    shutil.copytree(catalog.path / "forms", tmp_path / "forms")
    template = tmp_path / "forms" / "juminido" / "template.typ"
    template.write_text(
        template.read_text(encoding="utf-8").replace("住 民 異 動 届", "住民異動届（第2版）"),
        encoding="utf-8",
    )
    form_yaml = tmp_path / "forms" / "juminido" / "form.yaml"
    form_yaml.write_text(
        form_yaml.read_text(encoding="utf-8") + '  - "窓口は平日8時45分から17時30分までです。"\n',
        encoding="utf-8",
    )
    local = _local_catalog(tmp_path, catalog)
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    bundle = render_bundle(situation, result, local, languages=(), notified_on=DAY)
    page = squeeze(page_texts(bundle.pdf)[0])
    assert "住民異動届（第2版）" in page and "窓口は平日8時45分から17時30分までです。" in page
