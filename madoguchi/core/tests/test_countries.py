"""The 国籍・地域 list (core/data/countries.csv) and the picker's search."""

import re

import pytest

from madoguchi.core import countries as C


def test_the_list_is_whole_and_consistent():
    rows = C.countries()
    assert len(rows) > 230
    codes = [c.code for c in rows]
    assert len(codes) == len(set(codes)) and all(re.fullmatch(r"[A-Z]{2}", c) for c in codes)
    names = [c.name for c in rows]
    assert len(names) == len(set(names))  # a name picks one entry
    assert C.UNKNOWN not in codes and "KP" not in codes  # 朝鮮 is XC, as the card writes it
    for c in rows:
        assert not re.search(r"[A-Za-z]", c.name), c  # printed in Japanese
        if re.search(r"[\u4e00-\u9fff]", c.name):
            assert c.kana and re.fullmatch(r"[\u30a0-\u30ff]+", c.kana), c  # a reading to search
    header = C.DATA.read_text(encoding="utf-8").split("\ncode,")[0]
    assert "NOTICE" in header and "LGPL" in header  # its sources and licences


@pytest.mark.parametrize(
    ("code", "name"),
    [("CN", "中国"), ("KR", "韓国"), ("XC", "朝鮮"), ("TW", "台湾"), ("VN", "ベトナム"),
     ("US", "米国"), ("GB", "英国"), ("PH", "フィリピン"), ("BR", "ブラジル"), ("XS", "無国籍")],
)  # fmt: skip
def test_names_as_the_residence_card_writes_them(code, name):
    assert C.name_of(code) == name and C.by_code(code.lower()).name == name


@pytest.mark.parametrize(
    ("typed", "first"),
    [
        ("べとなむ", "VN"),
        ("ベト", "VN"),
        ("ﾍﾞﾄﾅﾑ", "VN"),  # half-width katakana
        ("betonamu", "VN"),
        ("viet", "VN"),
        ("vn", "VN"),
        ("ＶＮ", "VN"),
        ("VNM", "VN"),
        ("704", "VN"),
        ("ちゅうごく", "CN"),
        ("中", "CN"),
        ("kankoku", "KR"),
        ("かん", "KR"),
        ("ちょうせん", "XC"),
        ("たいわん", "TW"),
        ("あめりか", "US"),
        ("べいこく", "US"),
        ("usa", "US"),
        ("いぎりす", "GB"),
        ("ねぱーる", "NP"),
        ("nepa-ru", "NP"),
        ("nepaaru", "NP"),
        ("firipin", "PH"),
        ("hiripin", "PH"),
        ("burajiru", "BR"),
        ("グルジア", "GE"),
        ("むこくせき", "XS"),
    ],
)
def test_search_finds_it_first(typed, first):
    found = C.search(typed)
    assert found and found[0].code == first, [c.code for c in found]


def test_common_nationalities_come_first_on_equal_terms():
    # 「ち」 begins 中国, 朝鮮, チリ, チェコ …: the ones most often met come first
    assert [c.code for c in C.search("ち", limit=2)] == ["CN", "XC"]
    assert len(C.search("こ", limit=5)) == 5  # the list is limited


@pytest.mark.parametrize(
    ("typed", "code"),
    [("VN", "VN"), ("ベトナム", "VN"), ("べとなむ", "VN"), ("ベトナム社会主義共和国", "VN"),
     ("アメリカ合衆国", "US"), ("大韓民国", "KR"), ("United Kingdom", "GB"), ("  台湾 ", "TW")],
)  # fmt: skip
def test_resolve_takes_exact_names_only(typed, code):
    assert C.resolve(typed).code == code


@pytest.mark.parametrize("typed", ["", "ベト", "アトランティス", "XX", "ZZ"])
def test_resolve_refuses_what_names_no_single_entry(typed):
    assert C.resolve(typed) is None
