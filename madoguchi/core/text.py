"""Folded search keys for names and readings.

These keys exist only so that search can find a registered name however the clerk types
it; they are never shown and never replace the stored name (names are stored exactly as
registered, never Unicode-normalised).

``name_key(name)`` — the kanji key:

1. IVS / variation selectors removed (U+E0100–U+E01EF, U+FE00–U+FE0F): 辻󠄂 → 辻;
2. CJK compatibility ideographs (U+F900–U+FAFF, U+2F800–U+2FA1F) replaced by their
   canonical unified ideograph: 神 U+FA19 → 神 U+795E, 﨑 U+FA11 → 崎 (done per
   character, for the key only);
3. the 縮退 map :data:`VARIANTS` below: common 異体字・旧字体 in names → the usual form
   (髙→高, 𠮷→吉, 邊/邉→辺, 濵/濱→浜, 齋/齊/斉→斎, 澤→沢 …);
4. full-width ASCII → half-width, Latin letters upper-cased (foreign residents' names);
5. spaces removed (ASCII, U+3000) and the separator dot ・ removed.

``kana_key(text)`` — the reading key: half-width katakana → full-width (jaconv), hiragana →
katakana, small kana → large (ァ→ア, ッ→ツ, ャ→ヤ, ヮ→ワ, ヵ→カ, ヶ→ケ), 長音 ー and spaces
and ・ removed; voiced / semi-voiced marks kept (ガ ≠ カ).
"""

from __future__ import annotations

import re
import unicodedata

import jaconv

__all__ = ["VARIANTS", "given_part", "is_kana", "kana_key", "name_key", "search_keys"]

#: 縮退 map: variant (異体字・旧字体) → the character a clerk types. One entry per line
#: so the list reads as documentation. Compatibility ideographs (U+F900–U+FAFF) are
#: handled generically and need no entry here.
VARIANTS: dict[str, str] = {
    "髙": "高",  # はしごだか
    "𠮷": "吉",  # つちよし U+20BB7
    "嵜": "崎",  # (埼 is deliberately not folded: 埼玉 is not 崎)
    "﨑": "崎",  # U+FA11 (also covered by the compatibility rule)
    "邊": "辺",
    "邉": "辺",
    "濵": "浜",
    "濱": "浜",
    "德": "徳",
    "齋": "斎",
    "齊": "斎",
    "斉": "斎",  # 斉藤／斎藤: clerks expect both
    "澤": "沢",
    "冨": "富",
    "槇": "槙",
    "廣": "広",
    "國": "国",
    "櫻": "桜",
    "龍": "竜",
    "嶋": "島",
    "嶌": "島",
    "嶽": "岳",
    "瀧": "滝",
    "澁": "渋",
    "淺": "浅",
    "惠": "恵",
    "榮": "栄",
    "眞": "真",
    "實": "実",
    "圓": "円",
    "藏": "蔵",
    "彌": "弥",
    "壽": "寿",
    "萬": "万",
    "與": "与",
    "會": "会",
    "關": "関",
    "莊": "荘",
    "學": "学",
    "禮": "礼",
    "來": "来",
    "戶": "戸",  # U+6236
    "舘": "館",
    "穗": "穂",
    "縣": "県",
    "條": "条",
    "薗": "園",
    "黑": "黒",
    "曾": "曽",
    "檜": "桧",
    "峯": "峰",
    "埜": "野",
    "杦": "杉",
    "鄕": "郷",
    "恆": "恒",
    "晉": "晋",
    "亞": "亜",
    "聰": "聡",
    "寬": "寛",
    "淸": "清",
    "靜": "静",
    "增": "増",
    "邨": "村",
    "瀨": "瀬",
    "鷗": "鴎",
    "兒": "児",
    "團": "団",
    "將": "将",
    "稻": "稲",
    "繪": "絵",
    "龜": "亀",
    "桒": "桑",
    "舩": "船",
    "籏": "旗",
    "巖": "巌",
    "强": "強",
    "緖": "緒",
    "卷": "巻",
    "鐵": "鉄",
    "淵": "渕",
    "渊": "渕",
    "郞": "郎",
    "凉": "涼",
    "髮": "髪",
    "兔": "兎",
    "冰": "氷",
}

_SELECTORS = re.compile("[\U000e0100-\U000e01ef\ufe00-\ufe0f]")
_SPACES = re.compile(r"[\s\u3000・･]+")


def _compat(ch: str) -> str:
    """Canonical form of one CJK compatibility ideograph (for the key only)."""
    o = ord(ch)
    if 0xF900 <= o <= 0xFAFF or 0x2F800 <= o <= 0x2FA1F:
        decomposition = unicodedata.decomposition(ch)
        if decomposition and not decomposition.startswith("<"):
            return chr(int(decomposition.split()[0], 16))
    return ch


def _fold_char(ch: str) -> str:
    ch = _compat(ch)
    ch = VARIANTS.get(ch, ch)
    o = ord(ch)
    if 0xFF01 <= o <= 0xFF5E:  # full-width ASCII
        ch = chr(o - 0xFEE0)
    if ch.isascii():
        ch = ch.upper()
    return ch


def name_key(name: str) -> str:
    """Folded kanji key of a name (see module docs). Not for display or storage of names."""
    if not name:
        return ""
    s = _SELECTORS.sub("", name)
    s = _SPACES.sub("", s)
    # Half-width katakana in a name field (rare, but old exports have it) → full-width.
    s = jaconv.h2z(s, kana=True, ascii=False, digit=False)
    return "".join(_fold_char(ch) for ch in s)


_SMALL = str.maketrans(
    {
        "ァ": "ア",
        "ィ": "イ",
        "ゥ": "ウ",
        "ェ": "エ",
        "ォ": "オ",
        "ッ": "ツ",
        "ャ": "ヤ",
        "ュ": "ユ",
        "ョ": "ヨ",
        "ヮ": "ワ",
        "ヵ": "カ",
        "ヶ": "ケ",
        "ㇰ": "ク",
        "ㇱ": "シ",
        "ㇲ": "ス",
        "ㇳ": "ト",
        "ㇴ": "ヌ",
        "ㇵ": "ハ",
        "ㇶ": "ヒ",
        "ㇷ": "フ",
        "ㇸ": "ヘ",
        "ㇹ": "ホ",
        "ㇺ": "ム",
        "ㇻ": "ラ",
        "ㇼ": "リ",
        "ㇽ": "ル",
        "ㇾ": "レ",
        "ㇿ": "ロ",
    }
)
_LONG_AND_SPACES = re.compile(r"[ー－‐\-~〜\s\u3000・･]+")


def kana_key(text: str) -> str:
    """Folded reading key: katakana, large kana, no 長音, no spaces; 濁点 kept."""
    if not text:
        return ""
    s = unicodedata.normalize("NFC", jaconv.h2z(text, kana=True, ascii=False, digit=False))
    # NFC above only joins a kana with a following combining (semi-)voiced mark
    # (カ + U+3099 → ガ); it is applied to readings, never to stored names.
    s = jaconv.hira2kata(s)
    s = s.translate(_SMALL)
    return _LONG_AND_SPACES.sub("", s)


_KANA_RE = re.compile(
    r"^[\u3041-\u3096\u309b-\u309f\u30a1-\u30ff\u31f0-\u31ff\uff66-\uff9f\s\u3000・･ー－\-]+$"
)


def is_kana(text: str) -> bool:
    """True when ``text`` is only kana (hiragana, katakana, half-width), 長音 and spaces,
    with at least one kana."""
    if not text or not _KANA_RE.match(text):
        return False
    return bool(kana_key(text))


_FIRST_SPACE = re.compile(r"[ \u3000]+")


def given_part(text: str) -> str:
    """The 名 of a name or reading written 氏 + space + 名 (ASCII or U+3000 space): the
    text after the first space; ``""`` when there is no space (the split is unknown)."""
    parts = _FIRST_SPACE.split((text or "").strip(), maxsplit=1)
    return parts[1] if len(parts) == 2 else ""


def search_keys(name: str, kana: str = "", given_name: str = "", alt_name: str = "") -> dict:
    """Every folded search key of a person (the columns ``name_key``, ``kana_key``,
    ``given_key``, ``given_kana_key``, ``alt_name_key``). ``given_name`` is the 名 field
    when the register gives it; otherwise the 名 is what follows the space in ``name``."""
    return {
        "name_key": name_key(name),
        "kana_key": kana_key(kana),
        "given_key": name_key(given_name or given_part(name)),
        "given_kana_key": kana_key(given_part(kana)),
        "alt_name_key": name_key(alt_name) if alt_name else "",
    }
