"""Romaji typed with the IME off, matched against a kana reading: the one matcher of the
counter's type-ahead lists (国籍・地域 ``core.countries``, 在籍校 ``counter.schools``).

A clerk types a reading as it comes: Hepburn (shi, tsu, chi, fu, ji, sha), 訓令式 or the
IME's own keys (si, tu, ti, hu, zi, sya, jya, cya), ん as n or nn, を as o or wo, long
vowels written or not (chuu / chu, tou / to, ー as ``-`` or nothing), っ as a doubled
consonant (tch, cch), ン before b/m/p as m (shimbun: m and n are one letter to the
matcher), and the letters of foreign words either way (v/b, l/r, f/h). Both sides are folded to one key, so every spelling of a
reading gives the same key:

- :func:`romaji` — the Hepburn romaji of a reading (hiragana or katakana): ベトナム →
  betonamu, しゅうがっこう → shuugakkou; ー dropped.
- :func:`key` — the folded key of romaji text (what :func:`reading_key` compares).
- :func:`reading_key` — the key of a kana reading.
- :func:`typed_keys` — the keys of what a clerk has typed so far; more than one when the
  last letters begin a syllable that folds differently once complete (``sh`` of shi →
  si, ``ch`` of chi → ti, ``ts`` of tsu → tu, ``j`` of ji → zi, ``w`` of を).
- :func:`starts` / :func:`same` — a typed text begins / is a reading.

Pure: no Django, no database. Not a transliteration for printing (ローマ字氏名 is copied
from the 在留カード as written); only for finding.
"""

from __future__ import annotations

import re
from functools import lru_cache

__all__ = ["key", "reading_key", "romaji", "same", "starts", "typed_keys"]

_DIGRAPHS = {
    "キャ": "kya", "キュ": "kyu", "キョ": "kyo", "シャ": "sha", "シュ": "shu", "ショ": "sho",
    "シェ": "she", "チャ": "cha", "チュ": "chu", "チョ": "cho", "チェ": "che", "ニャ": "nya",
    "ニュ": "nyu", "ニョ": "nyo", "ヒャ": "hya", "ヒュ": "hyu", "ヒョ": "hyo", "ミャ": "mya",
    "ミュ": "myu", "ミョ": "myo", "リャ": "rya", "リュ": "ryu", "リョ": "ryo", "ギャ": "gya",
    "ギュ": "gyu", "ギョ": "gyo", "ジャ": "ja", "ジュ": "ju", "ジョ": "jo", "ジェ": "je",
    "ヂャ": "ja", "ヂュ": "ju", "ヂョ": "jo",
    "ビャ": "bya", "ビュ": "byu", "ビョ": "byo", "ピャ": "pya", "ピュ": "pyu", "ピョ": "pyo",
    "ファ": "fa", "フィ": "fi", "フェ": "fe", "フォ": "fo", "ティ": "ti", "ディ": "di",
    "トゥ": "tu", "ドゥ": "du", "デュ": "dyu", "ヴァ": "va", "ヴィ": "vi", "ヴェ": "ve",
    "ヴォ": "vo", "ウィ": "wi", "ウェ": "we", "ウォ": "wo", "イェ": "ye", "ツァ": "tsa",
}  # fmt: skip
_MONO = dict(
    zip(
        "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヰヱヲン"
        "ガギグゲゴザジズゼゾダヂヅデドバビブベボパピプペポヴァィゥェォャュョヮヵヶ",
        "a i u e o ka ki ku ke ko sa shi su se so ta chi tsu te to na ni nu ne no ha hi fu he "
        "ho ma mi mu me mo ya yu yo ra ri ru re ro wa i e o n ga gi gu ge go za ji zu ze zo "
        "da ji zu de do ba bi bu be bo pa pi pu pe po vu a i u e o ya yu yo wa ka ke".split(),
        strict=True,
    )
)

# Applied in this order, to both sides (a reading's Hepburn and what was typed).
_FOLD = (
    ("shi", "si"), ("chi", "ti"), ("tsu", "tu"), ("ji", "zi"), ("jy", "zy"), ("cy", "ty"),
    ("sh", "sy"), ("ch", "ty"), ("j", "zy"),  # sha/sya, cha/tya, ja/zya/jya
    ("di", "zi"), ("du", "zu"),  # ぢ/づ as the IME types them (di, du)
    ("wo", "o"),  # を
    ("f", "h"), ("v", "b"), ("l", "r"),  # foreign words: fu/hu, v/b, l/r
    ("m", "n"),  # Hepburn's ン before b/m/p (shimbun); m and n alike, as countries did
)  # fmt: skip
_DOUBLE = re.compile(r"([a-z])\1+")
_TRAILING = (  # the start of a syllable that folds differently once complete
    ("sh", "s"), ("ch", "t"), ("ts", "t"), ("c", "t"), ("j", "z"), ("d", "z"),
    ("w", ""),
)  # fmt: skip


def _katakana(text: str) -> str:
    return "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in text)


def romaji(kana: str) -> str:
    """The Hepburn romaji of a kana reading (hiragana or katakana; ベトナム → betonamu,
    がっこう → gakkou, マッチ → matchi); 長音 ー and anything not kana dropped."""
    s = _katakana(kana)
    out: list[str] = []
    double = False
    i = 0
    while i < len(s):
        pair, ch = s[i : i + 2], s[i]
        if pair in _DIGRAPHS:
            syl, i = _DIGRAPHS[pair], i + 2
        elif ch in "ッっ":
            double, i = True, i + 1
            continue
        else:
            syl, i = _MONO.get(ch, ""), i + 1
            nxt = s[i : i + 1]
            if nxt in "ャュョ" and nxt and len(syl) >= 2 and syl[-1] == "i":  # ヂャ …
                syl, i = syl[:-1] + _MONO[nxt], i + 1
        if double and syl:
            syl = ("t" if syl.startswith("ch") else syl[0]) + syl
            double = False
        out.append(syl)
    return "".join(out)


def _letters(text: str) -> str:
    """Lower-case ASCII letters only (full-width made half-width; ー, -, ', spaces gone)."""
    half = "".join(chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c for c in text or "")
    return re.sub(r"[^a-z]", "", half.lower())


def _fold(s: str) -> str:
    # っ's double letter (matchi, macchi, matti), ん's nn: one letter
    s = _DOUBLE.sub(r"\1", s.replace("tch", "ch"))
    for a, b in _FOLD:
        s = s.replace(a, b)
    s = _DOUBLE.sub(r"\1", s)
    return _DOUBLE.sub(r"\1", s.replace("ou", "o"))  # long vowels: uu, oo, ou


def key(text: str) -> str:
    """The folded key of romaji text: Hepburn, 訓令式 and IME spellings of one reading
    give one key (shi/si, chuu/tyu/chu, jya/ja/zya, matchi/macchi/matti …)."""
    return _fold(_letters(text))


@lru_cache(maxsize=4096)
def reading_key(kana: str) -> str:
    """The key of a kana reading (what typed text is compared with)."""
    return key(romaji(kana))


def typed_keys(text: str) -> tuple[str, ...]:
    """The keys of what a clerk has typed so far: the key of the text, and when it ends
    in the start of a syllable that folds differently once complete (``sh``, ``ch``,
    ``ts``, ``j`` …), the key of that start as it will fold."""
    s = _DOUBLE.sub(r"\1", _letters(text))
    out = [_fold(s)]
    for end, instead in _TRAILING:
        if s.endswith(end):
            out.append(_fold(s[: -len(end)] + instead))
    return tuple(dict.fromkeys(out))


def starts(reading: str, typed: str) -> bool:
    """Whether ``typed`` (romaji) is the beginning of the kana ``reading``."""
    rk = reading_key(reading)
    return any(rk.startswith(k) for k in typed_keys(typed))


def same(reading: str, typed: str) -> bool:
    """Whether ``typed`` (romaji) is the whole of the kana ``reading``."""
    return reading_key(reading) == key(typed)
