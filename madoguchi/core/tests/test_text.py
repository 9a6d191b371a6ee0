"""Folded search keys: variant kanji, IVS, compatibility ideographs, kana folding."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core.text import VARIANTS, is_kana, kana_key, name_key


@pytest.mark.parametrize(
    "variant,common",
    [
        ("髙橋　一郎", "高橋一郎"),
        ("山﨑 花子", "山崎花子"),  # U+FA11
        ("𠮷田", "吉田"),  # U+20BB7
        ("渡邊", "渡辺"),
        ("渡邉", "渡辺"),
        ("濵田", "浜田"),
        ("齋藤", "斎藤"),
        ("齊藤", "斎藤"),
        ("斉藤", "斎藤"),
        ("德永", "徳永"),
        ("澤井", "沢井"),
        ("冨田", "富田"),
        ("槇原", "槙原"),
        ("廣瀬", "広瀬"),
        ("國分", "国分"),
        ("櫻井", "桜井"),
        ("龍太", "竜太"),
        ("\ufa19田", "\u795e田"),  # 神 compatibility → unified
        ("辻\U000e0102", "辻"),  # IVS removed
        ("葛\U000e0102西", "葛西"),
        ("辻\ufe00", "辻"),
        ("ｽﾐｽ ｼﾞｮﾝ", "スミスジョン"),
        ("smith　john", "SMITHJOHN"),
        ("ＳＭＩＴＨ", "SMITH"),
    ],
)
def test_name_key_folds_variants(variant, common):
    assert name_key(variant) == name_key(common)


def test_name_key_concrete_values():
    assert name_key("髙橋\u3000一郎") == "高橋一郎"
    assert name_key("𠮷田 太郎") == "吉田太郎"
    assert name_key("\ufa19田") == "\u795e田"
    assert name_key("") == ""


def test_name_key_keeps_distinct_names_distinct():
    assert name_key("埼玉") != name_key("崎玉")
    assert name_key("高橋") != name_key("高梁")
    assert name_key("大田") != name_key("太田")


def test_name_key_never_touches_the_input():
    stored = "髙\U000e0100橋"
    name_key(stored)
    assert stored == "髙\U000e0100橋"


def test_variant_map_is_well_formed():
    assert len(VARIANTS) >= 60
    for src, dst in VARIANTS.items():
        assert len(src) == 1 and len(dst) == 1 and src != dst
        assert dst not in VARIANTS, f"{dst} must be a final form"


@pytest.mark.parametrize(
    "text,key",
    [
        ("たかはし", "タカハシ"),
        ("タカハシ", "タカハシ"),
        ("ﾀｶﾊｼ", "タカハシ"),
        ("ｶﾞｯｺｳ", "ガツコウ"),
        ("きょうこ", "キヨウコ"),
        ("キョーコ", "キヨコ"),
        ("ゆうこ　たかはし", "ユウコタカハシ"),
        ("ヴァン", "ヴアン"),
        ("ぱぴぷ", "パピプ"),
        ("ヶ", "ケ"),
        ("カ\u3099", "ガ"),
        ("", ""),
    ],
)
def test_kana_key(text, key):
    assert kana_key(text) == key


def test_kana_key_keeps_voicing():
    assert kana_key("かとう") != kana_key("がとう")
    assert kana_key("はし") != kana_key("ばし") != kana_key("ぱし")


def test_prefix_of_typed_reading_is_prefix_of_key():
    assert kana_key("タカハシ　イチロウ").startswith(kana_key("たかは"))
    assert name_key("髙橋　一郎").startswith(name_key("高橋 一"))


@pytest.mark.parametrize(
    "text,expected",
    [
        ("たかはし", True),
        ("タカハシ　イチロウ", True),
        ("ﾀｶﾊｼ", True),
        ("キョーコ", True),
        ("高橋", False),
        ("たか橋", False),
        ("4050101", False),
        ("ー", False),
        ("", False),
        ("smith", False),
    ],
)
def test_is_kana(text, expected):
    assert is_kana(text) is expected


# Property tests: the keys must keep prefix search sound — the key of a typed prefix is a
# prefix of the key of the whole name — and folding twice changes nothing.

_NAME_CHARS = st.sampled_from(
    list("高橋崎吉辺浜斎沢富広国桜竜田中山一郎花子髙﨑𠮷邊邉濵齋齊澤冨廣國櫻龍")
    + ["\u3000", " ", "\U000e0100", "\U000e0102", "\ufe00", "\ufa19", "\ufa11", "A", "ｂ"]
)
_KANA_CHARS = st.sampled_from(
    list("あいうかがきゃっょアイウカガキャッョヴーｱｲｳｶｷｬｯｰ") + ["\u3000", " ", "・"]
)


@given(st.text(_NAME_CHARS, max_size=12), st.text(_NAME_CHARS, max_size=12))
def test_name_key_is_prefix_compatible_and_idempotent(a, b):
    assert name_key(a + b).startswith(name_key(a))
    assert name_key(name_key(a + b)) == name_key(a + b)
    assert all(not ("\U000e0100" <= ch <= "\U000e01ef") for ch in name_key(a))
    assert "\u3000" not in name_key(a) and " " not in name_key(a)


@given(st.text(_KANA_CHARS, max_size=12), st.text(_KANA_CHARS, max_size=12))
def test_kana_key_is_prefix_compatible_and_idempotent(a, b):
    assert kana_key(a + b).startswith(kana_key(a))
    assert kana_key(kana_key(a + b)) == kana_key(a + b)
    assert not any("\u3041" <= ch <= "\u3096" for ch in kana_key(a))  # no hiragana left
