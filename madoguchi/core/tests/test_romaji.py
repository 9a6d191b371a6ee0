"""The one romaji matcher (core/romaji.py) of the counter's type-ahead lists.

Properties: every kana reading is found by its Hepburn, its 訓令式 and its IME typing, in
full and letter by letter. Regression: every romaji query that matched a country or a
school before the two matchers were merged (``data/romaji_before_merge.json``, written
from ``core.countries._romaji_key`` and ``counter.schools.fold_typed`` before they were
removed: each country reading's Hepburn and kunrei spellings and their first 2–5 letters,
each demo school's reading letter by letter) still matches.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.core import countries as C
from madoguchi.core import romaji as R

# (kana, Hepburn, 訓令式, what the IME also takes) — written here, apart from the module
_GOJUON = """
あ a a | い i i | う u u | え e e | お o o
か ka ka | き ki ki | く ku ku | け ke ke | こ ko ko
さ sa sa | し shi si | す su su | せ se se | そ so so
た ta ta | ち chi ti | つ tsu tu | て te te | と to to
な na na | に ni ni | ぬ nu nu | ね ne ne | の no no
は ha ha | ひ hi hi | ふ fu hu | へ he he | ほ ho ho
ま ma ma | み mi mi | む mu mu | め me me | も mo mo
や ya ya | ゆ yu yu | よ yo yo
ら ra ra | り ri ri | る ru ru | れ re re | ろ ro ro
わ wa wa | を o o wo
が ga ga | ぎ gi gi | ぐ gu gu | げ ge ge | ご go go
ざ za za | じ ji zi | ず zu zu | ぜ ze ze | ぞ zo zo
だ da da | ぢ ji zi di | づ zu zu du | で de de | ど do do
ば ba ba | び bi bi | ぶ bu bu | べ be be | ぼ bo bo
ぱ pa pa | ぴ pi pi | ぷ pu pu | ぺ pe pe | ぽ po po
きゃ kya kya | きゅ kyu kyu | きょ kyo kyo | ぎゃ gya gya | ぎゅ gyu gyu | ぎょ gyo gyo
しゃ sha sya | しゅ shu syu | しょ sho syo | じゃ ja zya jya | じゅ ju zyu jyu | じょ jo zyo jyo
ちゃ cha tya cya | ちゅ chu tyu cyu | ちょ cho tyo cyo
にゃ nya nya | にゅ nyu nyu | にょ nyo nyo | ひゃ hya hya | ひゅ hyu hyu | ひょ hyo hyo
びゃ bya bya | びゅ byu byu | びょ byo byo | ぴゃ pya pya | ぴゅ pyu pyu | ぴょ pyo pyo
みゃ mya mya | みゅ myu myu | みょ myo myo | りゃ rya rya | りゅ ryu ryu | りょ ryo ryo
"""
SYLLABLES = [tuple(s.split()) for s in _GOJUON.replace("\n", "|").split("|") if s.strip()]
N, SOKUON, CHOON = ("ん",), ("っ",), ("ー",)
_syllable = st.sampled_from(SYLLABLES)
_consonant = st.sampled_from([s for s in SYLLABLES if s[1][0] not in "aiueo"])
# a unit: a syllable, っ + a syllable with a consonant, a syllable + ー, or ん
_unit = st.one_of(
    _syllable.map(lambda s: [s]),
    _consonant.map(lambda s: [SOKUON, s]),
    _syllable.map(lambda s: [s, CHOON]),
    st.just([N]),
)


def typings(tokens) -> dict[str, str]:
    """The reading's Hepburn (ン as m before b/m/p, っち as tch, ー left out), 訓令式
    (ー as -) and IME spellings (ん as nn, IME's own keys)."""
    out = {"hepburn": "", "kunrei": "", "ime": ""}
    for i, t in enumerate(tokens):
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if t is N:
            labial = nxt is not None and len(nxt) > 1 and nxt[1][0] in "bmp"
            vowel = nxt is not None and len(nxt) > 1 and nxt[1][0] in "aiueoy"
            out["hepburn"] += "m" if labial else "n'" if vowel else "n"
            out["kunrei"] += "n'" if vowel else "n"
            out["ime"] += "nn"
        elif t is SOKUON:
            out["hepburn"] += "t" if nxt[1].startswith("ch") else nxt[1][0]
            out["kunrei"] += nxt[2][0]
            out["ime"] += (nxt[3] if len(nxt) > 3 else nxt[2])[0]
        elif t is CHOON:
            out["kunrei"] += "-"
            out["ime"] += "-"
        else:
            out["hepburn"] += t[1]
            out["kunrei"] += t[2]
            out["ime"] += t[3] if len(t) > 3 else t[2]
    return out


readings = st.lists(_unit, min_size=1, max_size=6).map(lambda units: sum(units, []))


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


@settings(max_examples=400)
@given(readings, st.booleans())
def test_every_reading_is_found_by_each_spelling_letter_by_letter(tokens, katakana):
    reading = "".join(t[0] for t in tokens)
    reading = _katakana(reading) if katakana else reading
    for style, typed in typings(tokens).items():
        assert R.same(reading, typed), (style, reading, typed)
        for i in range(1, len(typed) + 1):
            assert R.starts(reading, typed[:i]), (style, reading, typed[:i])
        # the clerk's caps lock and full-width letters do not matter
        assert R.same(reading, typed.upper())


@given(readings)
def test_the_module_own_romaji_is_a_spelling_of_the_reading(tokens):
    reading = "".join(t[0] for t in tokens)
    assert R.same(reading, R.romaji(reading))
    assert R.romaji(reading) == R.romaji(_katakana(reading))


def test_romaji_of_a_reading():
    assert R.romaji("ベトナム") == "betonamu"
    assert R.romaji("フィリピン") == "firipin"
    assert R.romaji("チョウセン") == "chousen"
    assert R.romaji("ジブチ") == "jibuchi"
    assert R.romaji("ネパール") == "neparu"
    assert R.romaji("がっこう") == "gakkou"
    assert R.romaji("マッチ") == "matchi"


@pytest.mark.parametrize(
    ("reading", "typed"),
    [("ベトナム", "vetonamu"), ("フィリピン", "hiripin"), ("ブラジル", "bulajiru"),
     ("ちゅうおう", "chuo"), ("ちゅうおう", "tyuuou"), ("しんぶん", "shimbun"),
     ("さくら", "ｓａｋｕｒａ"), ("ネパール", "nepa-ru"), ("ネパール", "nepaaru")],
)  # fmt: skip
def test_foreign_letters_long_vowels_and_width_fold(reading, typed):
    assert R.same(reading, typed)


@pytest.mark.parametrize(
    ("reading", "typed"),
    [("たいしどう", "tsu"), ("たいしどう", "ku"), ("ベトナム", "ka"), ("にほん", "nihonnx")],
)  # fmt: skip
def test_other_readings_are_not_found(reading, typed):
    assert not R.starts(reading, typed)


# ------------------------------------------------------------------ regression

BEFORE = json.loads(
    (Path(__file__).parent / "data" / "romaji_before_merge.json").read_text(encoding="utf-8")
)


def test_every_country_query_that_matched_before_still_matches():
    lost = {}
    for q, codes in BEFORE["countries"].items():
        now = {c.code for c, _score in C._scored(q)}
        if missing := set(codes) - now:
            lost[q] = sorted(missing)
    assert len(BEFORE["countries"]) > 500 and lost == {}


def test_every_school_query_that_matched_before_still_matches():
    from madoguchi.counter import schools as S

    lost = []
    for entry in BEFORE["schools"]:
        school = S.School("x", entry["name"], entry["kana"], "小学校", "", date(2000, 1, 1), None)
        lost += [(entry["kana"], t) for t in entry["matches"] if not S.matches(school, t)]
    assert len(BEFORE["schools"]) > 20 and lost == []
