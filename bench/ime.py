"""Keys a clerk presses to type Japanese through a romaji IME (the input-count rule of
bench/counter_inputs.py): one input per physical key. ほしの = h o s h i n o (Hepburn
romaji as clerks type it: し = shi, ち = chi, つ = tsu, ふ = fu, じ = ji, しゃ = sha,
ちゃ = cha, じゃ = ja, ん = nn, っ = the next consonant doubled, ー = the minus key) plus
the keys that end the word: Enter alone
for kana kept as hiragana, F7 + Enter for katakana, Space + Enter for a conversion to
kanji (one conversion per word; a word is a run between spaces, and the space itself is
one key)."""

from __future__ import annotations

_ROW = {
    "あいうえお": ("a", "i", "u", "e", "o"),
    "かきくけこ": ("ka", "ki", "ku", "ke", "ko"),
    "がぎぐげご": ("ga", "gi", "gu", "ge", "go"),
    "さしすせそ": ("sa", "si", "su", "se", "so"),
    "ざじずぜぞ": ("za", "zi", "zu", "ze", "zo"),
    "たちつてと": ("ta", "ti", "tu", "te", "to"),
    "だぢづでど": ("da", "di", "du", "de", "do"),
    "なにぬねの": ("na", "ni", "nu", "ne", "no"),
    "はひふへほ": ("ha", "hi", "hu", "he", "ho"),
    "ばびぶべぼ": ("ba", "bi", "bu", "be", "bo"),
    "ぱぴぷぺぽ": ("pa", "pi", "pu", "pe", "po"),
    "まみむめも": ("ma", "mi", "mu", "me", "mo"),
    "らりるれろ": ("ra", "ri", "ru", "re", "ro"),
    "ぁぃぅぇぉ": ("xa", "xi", "xu", "xe", "xo"),
}
ROMAJI = {k: r for kana, rs in _ROW.items() for k, r in zip(kana, rs, strict=True)}
ROMAJI.update({"し": "shi", "ち": "chi", "つ": "tsu", "ふ": "fu", "じ": "ji", "ぢ": "ji",
               "づ": "zu"})  # fmt: skip
ROMAJI.update({"や": "ya", "ゆ": "yu", "よ": "yo", "わ": "wa", "を": "wo", "ん": "nn",
               "ゃ": "xya", "ゅ": "xyu", "ょ": "xyo", "ゎ": "xwa", "ー": "-", "ゔ": "vu"})  # fmt: skip
_SMALL_Y = {"ゃ": "a", "ゅ": "u", "ょ": "o"}


def hiragana(text: str) -> str:
    return "".join(chr(ord(c) - 0x60) if "\u30a1" <= c <= "\u30f6" else c for c in text)


def romaji_keys(reading: str) -> int:
    """Romaji keys of one kana word (no ending key)."""
    s = hiragana(reading)
    keys, i = 0, 0
    while i < len(s):
        c = s[i]
        nxt = s[i + 1] if i + 1 < len(s) else ""
        if c == "っ":
            keys += 1  # the following consonant typed twice
            i += 1
            continue
        if nxt in _SMALL_Y and c in ROMAJI:
            # きゃ = kya, しゃ = sha, ちゃ = cha, じゃ = ja: the consonant part + the vowel
            keys += {"し": 3, "ち": 3, "じ": 2}.get(c, len(ROMAJI[c]) + 1)
            i += 2
            continue
        keys += len(ROMAJI.get(c, "x"))  # an unknown character: one key at least
        i += 1
    return keys


def ime_keys(reading: str, mode: str = "kanji") -> int:
    """Keys to type ``reading`` (kana, words separated by spaces) ending as ``mode``:
    ``kanji`` (Space to convert + Enter per word), ``katakana`` (F7 + Enter per word),
    ``hiragana`` (Enter per word); a space between words is one key."""
    words = [w for w in reading.replace("\u3000", " ").split(" ") if w]
    end = {"kanji": 2, "katakana": 2, "hiragana": 1}[mode]
    return sum(romaji_keys(w) + end for w in words) + max(len(words) - 1, 0)


def ascii_keys(text: str) -> int:
    """Half-width text (digits, Roman letters, 2027-03-29): one key a character, Shift
    not counted separately (typed with the character)."""
    return len(text)
