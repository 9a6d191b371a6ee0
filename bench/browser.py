"""Debian's chromium and the flags it runs with, for Playwright (not a script): used by
counter_inputs.py and by the browser tests (their fixtures import it), so the
benchmark drives the browser exactly as the tests do without importing the tests."""

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# ---------------------------------------------------------------- counting staff inputs
# One input per physical key and one per click. Japanese is typed through a romaji IME:
# ほしの = h o s h i n o (Hepburn as clerks type it: し shi, ち chi, つ tsu, ふ fu, じ ji,
# しゃ sha, ん nn, っ the next consonant doubled, ー the minus key) plus the keys that end
# the word: Enter for hiragana, F7 + Enter for katakana, Space + Enter for a conversion to
# kanji (one conversion per word; a space between words is one key). Moving to the next
# field is one key (Tab). Data copied from a paper document (a newborn's name from the
# 出生届, the residence card, a bank book) is counted apart from the rest.

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


def demo_clerk_page(pw, base: str, user: str = "madoguchi", password: str = "Hanako-Counter-27"):
    """The demo walks' start (tests/browser/walk_*.py, run against ``madoguchi demo``):
    Debian chromium, a 1280×900 Japanese page with a 60 s default wait, signed in as the
    demo counter clerk. Returns (browser, page)."""
    b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    ctx = b.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return b, page


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


# htmx has settled what it swapped in: the new content's autofocus is done, so a key
# pressed next is not taken from the field it was meant for.
SETTLED = "!document.querySelector('.htmx-added, .htmx-settling, .htmx-swapping')"
# ... and the visit shows a new version
SAVED = f"b => document.getElementById('visit').dataset.version != b && {SETTLED}"


def saved(page, action) -> None:
    """Do an action that saves a visit step and wait until it is shown (:data:`SAVED`):
    the one wait of the bench walks, the demo walk scripts and the browser tests."""
    before = page.locator("#visit").get_attribute("data-version")
    action()
    page.wait_for_function(SAVED, arg=before)  # a function with an argument: CSP forbids eval


class Inputs:
    """Drives a Playwright page like a clerk and counts the inputs: ``rest`` and
    ``copied`` (data copied from a paper document)."""

    def __init__(self, page):
        self.page = page
        self.rest = 0
        self.copied = 0
        self.steps: dict[str, int] = {}  # staff inputs (not copied) by the walk's line

    def _count(self, n: int, copied: bool) -> None:
        if copied:
            self.copied += n
            return
        self.rest += n
        # the breakdown: the outermost helper below the walk (``_capture``, ``_print``…)
        # or the walk's own line, so a reader sees where the inputs go
        import sys

        f, label = sys._getframe(1), ""
        while f is not None and f.f_code.co_filename == __file__:
            if f.f_code.co_name.endswith("_walk"):
                label = label or f"{f.f_code.co_name} line {f.f_lineno}"
                break
            if not f.f_code.co_name.startswith(("_count", "press", "click", "select",
                                                "field", "pick", "ascii", "japanese",
                                                "saved", "<lambda>")):  # fmt: skip
                label = f.f_code.co_name
            f = f.f_back
        self.steps[label or "?"] = self.steps.get(label or "?", 0) + n

    def press(self, key: str, copied: bool = False) -> None:
        self.page.keyboard.press(key)
        self._count(1, copied)

    def click(self, selector: str, copied: bool = False) -> None:
        self.page.locator(selector).click()
        self._count(1, copied)

    def select(self, selector: str, value: str, copied: bool = False) -> None:
        """A select chosen from the keyboard: its first letters or arrows, one input."""
        self.page.locator(selector).select_option(value)
        self._count(1, copied)

    def field(self, selector: str, copied: bool = False) -> None:
        """Move to a field (Tab): one input; none when the screen already put the focus
        there (the postal code's one town → 番地, a picker's choice → the next empty
        field)."""
        loc = self.page.locator(selector)
        if loc.evaluate("el => el === document.activeElement"):
            return
        loc.focus()
        self._count(1, copied)

    def pick(self, selector: str, value: str, letters: str, copied: bool = False) -> None:
        """A type-ahead picker: romaji ``letters`` typed with the IME off, one key each,
        until the first candidate is ``value`` (as a clerk reads the list), then Enter
        takes it (one key)."""
        loc = self.page.locator(selector)
        box = f"#{loc.get_attribute('aria-controls')}"  # picker.js: the list it fills
        typed = ""
        for ch in letters:
            loc.press(ch)
            typed += ch
            self._count(1, copied)
            self.page.locator(f"{box}[data-typed='{typed}']").wait_for(state="attached")
            first = self.page.locator(f"{box} li[data-value]").first
            if first.count() and first.get_attribute("data-value") == value:
                break
        else:
            raise AssertionError(f"{value} is not the first candidate after {letters!r}")
        loc.press("Enter")
        self._count(1, copied)
        assert loc.input_value() == value, loc.input_value()

    def ascii(self, selector: str, text: str, copied: bool = False, replace=False) -> None:
        """Half-width text (digits, Roman letters, dates): one key a character (Ctrl+A
        first, one more, when the field holds a value to replace)."""
        loc = self.page.locator(selector)
        loc.fill("")
        loc.press_sequentially(text)
        self._count(len(text) + (1 if replace else 0), copied)

    def japanese(self, selector: str, text: str, reading: str, mode: str, copied=False) -> None:
        """Japanese ``text`` typed as ``reading`` through the IME (``ime_keys``)."""
        loc = self.page.locator(selector)
        loc.fill("")
        loc.press_sequentially(text)
        self._count(ime_keys(reading, mode), copied)

    def saved(self, action) -> None:
        """Do an action that saves a visit step and wait for the new version."""
        saved(self.page, action)


# ---------------------------------------------------------------- scenario data


def make_birth_couple():
    """The parents of the rules' example ``birth_low_weight_nhi_mother`` in the register
    (a Django database must be set up)."""
    import datetime as dt

    from madoguchi.core.text import search_keys
    from madoguchi.register.models import Household, Person

    hh = Household.objects.create(household_no="300001")
    base = dict(
        household=hh, prefecture="北海道", city="北見市", town="北四条東", banchi="5丁目2番地",
        postal_code="0900024", nhi=True, pension_category="1",
        honseki="北海道北見市北四条東5丁目2番地", hittousha="星野　健一",
    )  # fmt: skip
    Person.objects.create(
        **search_keys("星野　健一", "ホシノ　ケンイチ"),
        atena_no="300011", name="星野　健一", name_kana="ホシノ　ケンイチ",
        birth_date=dt.date(1990, 2, 2), sex="1", relationship="世帯主", household_order=0, **base,
    )  # fmt: skip
    Person.objects.create(
        **search_keys("星野　美咲", "ホシノ　ミサキ"),
        atena_no="300012", name="星野　美咲", name_kana="ホシノ　ミサキ",
        birth_date=dt.date(1992, 7, 7), sex="2", relationship="妻", household_order=1, **base,
    )  # fmt: skip


# ---------------------------------------------------------------- walks


def _procedures(page) -> set[str]:
    return set(
        page.locator("#procedures li[data-id]").evaluate_all("els => els.map(e => e.dataset.id)")
    )


def _print(c: Inputs, shot=None) -> str:
    """Alt+K, Alt+P: returns the bundle's URL (the PDF opens in a tab). 要確認 still on
    the screen (a guess of the register's the walk did not ask about) is confirmed first
    with one key, as a clerk asks the resident: 確認 refuses it (counter.safety)."""
    if c.page.locator("#confirm-facts").count():
        # Alt+C saves what the capture form holds first (counter.js), then confirms
        c.press("Alt+c")
        c.page.locator("#confirm-facts").wait_for(state="detached")
    c.press("Alt+k")
    c.page.locator("#print").wait_for()
    with c.page.context.expect_event(
        "response", lambda r: r.url.endswith("bundle.pdf"), timeout=60_000
    ) as info:
        c.press("Alt+p")
    c.page.locator("#sign-form").wait_for()
    return info.value.url


def _sign(c: Inputs, id_document: str) -> None:
    """The ID document (chosen unless the screen preselected it), Alt+D."""
    if c.page.locator("select[name=id_document]").input_value() != id_document:
        c.select("select[name=id_document]", id_document)
    c.press("Alt+d")
    c.page.locator("p.done").wait_for()


# the birth's forms ask once: the 出生届's (7) 同居を始めたとき and (8) 世帯のおもな仕事,
# asked of the mother (told; (8) 3 常用勤労者 also gives the main earner's 職業 on the
# 児童手当 claim), the claimant's account (from the bank book), the 国保 記号番号 (the
# 資格確認書) and the mother's 基礎年金番号 (copied)
BIRTH_CAPTURE = {
    "occupation": (None, None),  # left empty: (8) 3 gives it when the form is saved
    "cohabit_since": ("R5.4", None),
    "household_work": ("3", None),
    "bank_name": ("北見信用金庫", "きたみ しんようきんこ"),
    "bank_branch": ("本店", "ほんてん"),
    "bank_account_type": ("普通", None),
    "bank_account_no": ("1234567", None),
    "bank_account_holder": ("ホシノ　ケンイチ", "ほしの けんいち", "katakana"),
    "nhi_no": ("12-3456", None),  # 記号番号, from the 国保 資格確認書
    "pension_no": ("1234567890", None),  # from the 基礎年金番号通知書
}


def birth_walk(c: Inputs, shot=None) -> dict:
    """A birth, from "call next" (a 出生 ticket waiting) to signed: the parents found in
    the register, the newborn from the 出生届 and the 母子健康手帳, the interview, the
    contact phone and the claimant's account, print, sign. Returns what it saw."""
    page = c.page
    _call_and_identify(c, "4040707")  # the mother's birth date from her ID card
    page.locator("#newborn-form").wait_for()
    # from the 出生届 / 母子健康手帳 (copied)
    c.japanese("#nb-name", "星野　陽葵", "ほしの ひまり", "kanji", copied=True)
    c.field("#nb-kana", copied=True)
    c.japanese("#nb-kana", "ほしの　ひまり", "ほしの ひまり", "hiragana", copied=True)
    c.field("#nb-sex", copied=True)
    c.select("#nb-sex", "female", copied=True)
    c.field("#nb-birth", copied=True)
    c.ascii("#nb-birth", "5090612", copied=True, replace=True)
    c.field("#nb-time", copied=True)
    c.ascii("#nb-time", "14:05", copied=True)
    c.field("#nb-place", copied=True)
    c.japanese(
        "#nb-place", "北見赤十字病院", "きたみ せきじゅうじ びょういん", "kanji", copied=True
    )
    c.field("#nb-weight", copied=True)
    c.ascii("#nb-weight", "2300", copied=True)
    c.saved(lambda: c.press("Enter"))  # 母 and 父 are the couple (the defaults)
    page.locator("#questions").wait_for()
    if shot:
        shot("birth")
    c.saved(lambda: c.click("input[data-q='event|birth|lump_sum_difference']"))
    earner = "input[data-q='person|p1|primary_earner']"
    if page.locator(earner).count():  # asked only when it changes who claims 児童手当
        c.saved(lambda: c.click(earner))
    _capture(c, BIRTH_CAPTURE, told=("cohabit_since", "household_work"), phone="0157123456")
    seen = {"procedures": _procedures(page), "persons": page.locator("#persons").inner_text()}
    seen["pdf_url"] = _print(c)
    _sign(c, "my_number_card")
    return seen


FOREIGN_COUPLE = (
    # name, reading, birth (typed), sex, relationship, roman, status, card no
    ("グエン　ヴァン　アン", "ぐえん ゔぁん あん", "19950302", "male", "head",
     "NGUYEN VAN AN", "技術・人文知識・国際業務", "AB12345678CD"),
    ("チャン　ティ　ビン", "ちゃん てぃ びん", "19970820", "female", "spouse",
     "TRAN THI BINH", "家族滞在", "CD87654321EF"),
)  # fmt: skip


def foreign_walk(c: Inputs, shot=None) -> dict:
    """A Vietnamese couple moving in from abroad (a 国外からの転入 ticket waiting), from
    "call next" to signed: the paper entry with nationality, each residence card, the new
    address, the contact phone, print, sign."""
    page = c.page
    c.press("Alt+n")
    page.wait_for_url("**/counter/visits/*/")
    page.locator("#paper input[name=name_1]").wait_for()  # open: nobody to find
    for i, (name, reading, birth, sex, rel, *_card) in enumerate(FOREIGN_COUPLE, start=1):
        # from the residence card (copied)
        if i > 1:
            c.field(f"#paper input[name=name_{i}]", copied=True)
        c.japanese(f"#paper input[name=name_{i}]", name, reading, "katakana", copied=True)
        c.field(f"#paper input[name=kana_{i}]", copied=True)
        c.japanese(f"#paper input[name=kana_{i}]", name, reading, "katakana", copied=True)
        c.field(f"#paper input[name=birth_{i}]", copied=True)
        c.ascii(f"#paper input[name=birth_{i}]", birth, copied=True)
        c.field(f"#paper select[name=sex_{i}]", copied=True)
        c.select(f"#paper select[name=sex_{i}]", sex, copied=True)
        if rel != "head":  # the first row is the head already
            c.field(f"#paper select[name=rel_{i}]")
            c.select(f"#paper select[name=rel_{i}]", rel)
        c.field(f"#paper select[name=hi_{i}]")
        c.select(f"#paper select[name=hi_{i}]", "nhi")
        # 国籍・地域 from the picker: the code typed, the highlighted ベトナム taken with Enter
        c.field(f"#paper input[name=nat_{i}]", copied=True)
        c.ascii(f"#paper input[name=nat_{i}]", "VN", copied=True, replace=True)
        page.locator(f"#nat-{i}-list li[data-code=VN][aria-selected=true]").wait_for()
        if shot and i == 1:
            shot("foreign-picker")
        c.press("Enter", copied=True)
        assert page.locator(f"#paper input[name=nat_{i}]").input_value() == "ベトナム"
    c.saved(lambda: c.press("Enter"))
    page.locator("#foreign-form").wait_for()
    for i, (_n, _r, _b, _s, _rel, roman, status, card) in enumerate(FOREIGN_COUPLE, start=1):
        # the form opens on the next person, 国籍 as the entry form has it
        assert page.locator("#fr-pid").input_value() == f"p{i}"
        # 国籍・地域 as picked on the entry form: nothing typed again
        assert page.locator("#fr-nat").input_value() == "ベトナム"
        c.field("#fr-roman", copied=True)
        c.ascii("#fr-roman", roman, copied=True)
        c.field("#fr-status", copied=True)
        c.select("#fr-status", status, copied=True)
        c.field("#fr-period", copied=True)
        c.japanese("#fr-period", "5年", "5ねん", "kanji", copied=True)
        c.field("#fr-expires", copied=True)
        c.ascii("#fr-expires", "20300331", copied=True)
        c.field("#fr-card", copied=True)
        c.ascii("#fr-card", card, copied=True)
        c.saved(lambda: c.press("Enter"))
    if shot:
        shot("foreign")
    _new_address(c, "0900024", "3-1")
    _capture(c, {})  # the contact phone
    seen = {"procedures": _procedures(page), "persons": page.locator("#persons").inner_text()}
    seen["pdf_url"] = _print(c)
    _sign(c, "residence_card")
    return seen


def make_marriage_families(same_address: bool = False):
    """北見 正 and 恵 with their son 健太, and 美幌 彩 living alone in another household
    (the households browser test's families; a Django database must be set up) —
    elsewhere in the city, or in the same house as 正's family (``same_address``: a
    世帯合併 joins households at one address)."""
    import datetime as dt

    from madoguchi.core.text import search_keys
    from madoguchi.register.models import Household, Person

    address = dict(
        prefecture="北海道", city="北見市", town="北四条東", banchi="3丁目1番地",
        postal_code="0900024", honseki="北海道北見市北四条東3丁目1番地", hittousha="北見　正",
    )  # fmt: skip
    parents = Household.objects.create(household_no="300001")
    for i, (atena, name, kana, birth, sex, rel) in enumerate(
        [
            ("300011", "北見　正", "キタミ　タダシ", dt.date(1962, 4, 4), "1", "世帯主"),
            ("300012", "北見　恵", "キタミ　メグミ", dt.date(1964, 8, 8), "2", "妻"),
            ("300013", "北見　健太", "キタミ　ケンタ", dt.date(1996, 1, 20), "1", "子"),
        ]
    ):
        Person.objects.create(
            **search_keys(name, kana), atena_no=atena, household=parents, name=name,
            name_kana=kana, birth_date=birth, sex=sex, relationship=rel, household_order=i,
            **address,
        )  # fmt: skip
    Person.objects.create(
        **search_keys("美幌　彩", "ビホロ　アヤ"),
        atena_no="300021", household=Household.objects.create(household_no="300002"),
        name="美幌　彩", name_kana="ビホロ　アヤ", birth_date=dt.date(1997, 6, 30), sex="2",
        relationship="世帯主", nhi=True, pension_category="1",
        honseki="北海道網走郡美幌町字美幌1番地", hittousha="美幌　誠", prefecture="北海道",
        city="北見市", town="北四条東", postal_code="0900024",
        **({"banchi": "3丁目1番地"} if same_address else
           {"banchi": "5丁目2番地", "katagaki": "コーポ北見101"}),
    )  # fmt: skip


def _new_address(c: Inputs, postal_code: str, banchi: str) -> None:
    """Alt+Z, the postal code (one town: the screen puts the focus on 番地), 番地, Enter."""
    c.press("Alt+z")
    c.ascii("#postal_code", postal_code)
    c.page.locator("#town_index").wait_for()
    c.field("#banchi")
    c.ascii("#banchi", banchi)
    c.saved(lambda: c.press("Enter"))


def _capture(
    c: Inputs, values: dict, told=(), phone: str = "09012345678", phone_from: str = ""
) -> None:
    """The one capture filler of every walk (each prints next: Alt+K saves what was typed
    and confirms, counter.js; no separate save): fill every empty field of the capture form
    — the phone typed (unless the screen prefilled it): told by the resident, or copied
    when ``phone_from`` names the paper it is written on (the 連絡先 line the notifier
    fills on a 戸籍届書 brought to the counter: 死亡届, 婚姻届), the keys in ``told`` (what
    the resident says: not copied), the rest copied from a paper document; ``values``: key →
    (value, kana reading for the IME, IME mode), (value, None) for half-width text and
    selects, (value, "pick:letters") for a type-ahead list, or (None, None) for a field
    left empty because saving derives it."""
    c.page.locator("#capture-form").wait_for()
    asked = c.page.locator("#capture-form [data-cap]").evaluate_all(
        "els => els.filter(e => !e.value).map(e => [e.dataset.cap, e.tagName])"
    )
    for cap, tag in asked:
        sel = f"#capture-form [data-cap='{cap}']"
        key = cap.partition(".")[2]
        if key == "phone":
            c.field(sel, copied=bool(phone_from))
            c.ascii(sel, phone, copied=bool(phone_from))
            continue
        if key not in values:
            raise AssertionError(f"the walk has no value for {cap}")
        value, reading, *mode = values[key]
        if value is None:  # left empty on purpose: the screen fills it from another answer
            continue
        copied = key not in told
        c.field(sel, copied=copied)
        if tag == "SELECT":
            c.select(sel, value, copied=copied)
        elif reading and reading.startswith("pick:"):  # a type-ahead list (在籍校)
            c.pick(sel, value, reading.removeprefix("pick:"), copied=copied)
        elif reading:
            c.japanese(sel, value, reading, (mode or ["kanji"])[0], copied=copied)
        else:
            c.ascii(sel, value, copied=copied)


# what the move-in's forms ask once: 本籍・筆頭者 from the 転出証明書, the account from
# the bank book, the dog from its 鑑札 and registration (copied); the job and the
# pupil's school told by the resident
MOVE_IN_CAPTURE = {
    "honseki": ("東京都世田谷区太子堂1丁目1番地",
                "とうきょうと せたがやく たいしどう 1ちょうめ 1ばんち"),
    "hittousha": ("星野　健一", "ほしの けんいち"),
    "occupation": ("会社員", None),
    "school": ("世田谷区立太子堂小学校", "pick:taishidou"),  # the schools list
    "bank_name": ("北見信用金庫", "きたみ しんようきんこ"),
    "bank_branch": ("本店", "ほんてん"),
    "bank_account_type": ("普通", None),
    "bank_account_no": ("1234567", None),
    "bank_account_holder": ("ホシノ　ケンイチ", "ほしの けんいち", "katakana"),
    "dog_name": ("ポチ", "ぽち", "katakana"),
    "dog_breed": ("柴", "しば"),
    "dog_colour": ("赤", "あか"),
    "dog_sex": ("オス", None),
    "dog_birth_date": ("R5.4.1", None),
    "dog_registration_no": ("R5-123", None),
    "rabies_shot_date": ("R9.4.10", None),
    "rabies_tag_no": ("R9-456", None),
    "pension_no": ("1234567890", None),
}  # fmt: skip


def move_in_walk(c: Inputs, shot=None) -> dict:
    """The move-in family of four (pending 転出証明書情報), from "call next" to signed:
    the search by the birth date on 健一's card, the three questions the register cannot
    answer, the insurance and pension guesses confirmed (Alt+C), every field the forms ask once (``MOVE_IN_CAPTURE``: the phone comes
    prefilled from the 転入予約, the previous school is picked from the schools list),
    print, sign (the 個人番号カード preselected: 転入届の特例)."""
    page = c.page
    _call_and_identify(c, "3600601")  # 昭和60年6月1日, from 健一's 個人番号カード
    page.locator("#questions").wait_for()
    for q in ("person|p1|dog_owner", "person|p2|wants_seal", "person|p4|nursery_wanted"):
        c.saved(lambda q=q: c.click(f"input[data-q='{q}']"))
    # insurance and pension asked: as the screen guesses them (健一 会社員, 美咲 his
    # dependent) — confirmed with one key, nothing left 要確認
    c.press("Alt+c")  # saves what the capture form holds first (counter.js)
    page.locator("#confirm-facts").wait_for(state="detached")
    assert "要確認" not in page.locator("#persons").inner_text()
    # the 転入予約's phone, prefilled and marked: the clerk confirms it with the resident
    phone = page.locator("#capture-form [data-cap='visit.phone']")
    assert phone.input_value() == "090-2718-2818", phone.input_value()
    assert "転入予約" in page.locator("#capture-form [data-source-of='visit.phone']").inner_text()
    _capture(c, MOVE_IN_CAPTURE, told=("occupation", "school"))
    return _print_and_sign(c, shot, "move_in")


def _print_and_sign(c: Inputs, shot, name: str) -> dict:
    """The screenshot, what the screen shows, print, sign with the 個人番号カード."""
    if shot:
        shot(name)
    page = c.page
    seen = {"procedures": _procedures(page), "persons": page.locator("#persons").inner_text()}
    seen["pdf_url"] = _print(c)
    _sign(c, "my_number_card")
    return seen


def _call_and_identify(c: Inputs, query: str, reading: str = "") -> None:
    """Alt+N, the search (a birth date from the resident's ID card, 7 digits, or kana
    typed through the IME as katakana when ``reading`` is given), Enter, Enter on the
    first result: the resident's household is identified."""
    c.press("Alt+n")
    c.page.wait_for_url("**/counter/visits/*/")
    if reading:
        c.japanese("#q", query, reading, "katakana")
    else:
        c.ascii("#q", query)
    c.press("Enter")
    c.page.locator("#search-results button.pick").first.wait_for()
    c.page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    c.saved(lambda: c.press("Enter"))


NEW_HONSEKI = (
    "北海道北見市北五条東4丁目2番地",
    "ほっかいどう きたみし きたごじょうひがし 4ちょうめ 2ばんち",
)


def marriage_walk(c: Inputs, shot=None) -> dict:
    """A marriage (a 婚姻 ticket waiting), from "call next" to signed: 健太 found by the
    birth date on his ID card, 彩 added from her own household, both move to a new
    address and form a new household that 健太 heads, her new surname and the couple's
    new 本籍 from the 婚姻届 (copied), 健太 notifies, the contact phone, print, sign.
    A select chosen with the mouse is two inputs (open, choose)."""
    page = c.page
    _call_and_identify(c, "4080120")  # 平成8年1月20日, from his ID card
    _add_from_other_household(c, "4090630")  # 彩: 平成9年6月30日, from her ID card
    c.saved(lambda: c.click("#events input[value=move_within]"))
    page.locator("#address").wait_for()
    c.saved(lambda: c.click("#persons input[value=p1]"))  # the parents stay
    c.saved(lambda: c.click("#persons input[value=p2]"))
    # the couple: the two persons involved, proposed (marked); her surname changes
    couple = "#details-marriage input[name=couple]"
    assert page.locator(f"{couple}:checked").evaluate_all("els => els.map(e => e.value)") == [
        "p3",
        "p4",
    ]
    c.click("#details-marriage input[name=surname_changes][value=p4]")
    c.saved(lambda: c.click("#details-marriage button[type=submit]"))
    # both leave for one new household headed by 健太 (he keeps his surname): proposed,
    # marked, saved with Enter
    page.locator("#households-source").wait_for()
    for pid in ("p3", "p4"):
        assert page.locator(f"select[name=after_{pid}]").input_value() == "new1"
    assert page.locator("#households-form input[name=heads][value=p3]").is_checked()
    c.field("#households-save")
    c.saved(lambda: c.press("Enter"))
    # from the 婚姻届 (copied): her new surname, the couple's new 本籍 and 筆頭者 (one
    # 戸籍 for the couple: given once, 健太's form shows the same)
    form = "#new-name-p4"
    c.field(f"{form} input[name=surname]", copied=True)
    c.japanese(f"{form} input[name=surname]", "北見", "きたみ", "kanji", copied=True)
    c.field(f"{form} input[name=surname_kana]", copied=True)
    c.japanese(f"{form} input[name=surname_kana]", "キタミ", "きたみ", "katakana", copied=True)
    c.field(f"{form} input[name=honseki]", copied=True)
    c.japanese(f"{form} input[name=honseki]", *NEW_HONSEKI, "kanji", copied=True)
    c.field(f"{form} input[name=hittousha]", copied=True)
    c.japanese(f"{form} input[name=hittousha]", "北見　健太", "きたみ けんた", "kanji", copied=True)
    c.saved(lambda: c.click(f"{form} button[type=submit]"))
    assert page.locator("#new-name-p3 input[name=honseki]").input_value() == NEW_HONSEKI[0]
    _applicant(c, "p3")  # 健太 came
    # their new home is where they set the new 本籍 (北五条東4丁目2番地): the address
    # picker proposes it on ↓ in the empty field; Enter takes it, Enter saves
    c.press("Alt+z")
    c.press("ArrowDown")
    page.locator("#postal-list li[data-fill-banchi][aria-selected=true]").wait_for()
    if shot:
        shot("address-picker", around="#address")
    c.press("Enter")
    assert page.locator("#banchi").input_value() == "4丁目2番地"
    c.field("#katagaki")  # no 方書: the focus is on it after the choice
    c.saved(lambda: c.press("Enter"))
    assert "北五条東4丁目2番地" in page.locator("#address .current-address").inner_text()
    # the phone, from the 婚姻届's 連絡先 line; 彩's 基礎年金番号 from her 基礎年金番号
    # 通知書 (both copied)
    _capture(c, {"pension_no": ("1234567890", None)}, phone_from="婚姻届")
    return _print_and_sign(c, shot, "marriage")


def make_death_couple():
    """北見 太郎 (who died) and 花子 (who notifies) in the register, their 本籍 known (a
    Django database must be set up)."""
    import datetime as dt

    from madoguchi.core.text import search_keys
    from madoguchi.register.models import Household, Person

    hh = Household.objects.create(household_no="100001")
    base = dict(
        household=hh, prefecture="北海道", city="北見市", town="北四条東", banchi="3丁目1番地",
        postal_code="0900024", honseki="北海道北見市北四条東3丁目1番地", hittousha="北見　太郎",
    )  # fmt: skip
    for i, (atena, name, kana, birth, sex, rel, pension) in enumerate(
        [
            ("200001", "北見　太郎", "キタミ　タロウ", dt.date(1985, 6, 1), "1", "世帯主", "2"),
            ("200002", "北見　花子", "キタミ　ハナコ", dt.date(1987, 9, 15), "2", "妻", "3"),
        ]
    ):
        Person.objects.create(
            **search_keys(name, kana), atena_no=atena, name=name, name_kana=kana,
            birth_date=birth, sex=sex, relationship=rel, household_order=i,
            pension_category=pension, flags=["my_number_card"], **base,
        )  # fmt: skip


# what the death's forms ask once, from the 死亡届 / 死亡診断書 / 火葬 (copied):
# key → (value, kana reading for the IME or None for half-width text)
DEATH_CAPTURE = {
    "death_place": ("北見赤十字病院", "きたみ せきじゅうじ びょういん"),
    "death_cause": ("その他", None),  # a select
    "cremation_date": ("R9.4.4", None),
    "cremation_place": ("北見市斎場", "きたみし さいじょう"),
}


def death_walk(c: Inputs, shot=None) -> dict:
    """A death (a 死亡 ticket waiting), from "call next" to signed: the widow found by the
    birth date on her ID card (the household comes with her), the deceased and the
    notifier chosen, the fields of the 死亡届 the forms ask and the phone its notifier
    wrote on its 連絡先 line (copied), print, sign. A select chosen with the mouse is two
    inputs (open, choose)."""
    page = c.page
    _call_and_identify(c, "3620915")  # 昭和62年9月15日, from her ID card
    page.locator("#details-death").wait_for()
    # 太郎 proposed as the deceased (the one other member; she came), marked: Enter
    deceased = "#details-death select[name=deceased]"
    assert page.locator(deceased).input_value() == "p1"
    assert page.locator("[data-source-of='death.deceased']").count() == 1
    c.field(deceased)
    c.saved(lambda: c.press("Enter"))
    _applicant(c, "p2")  # 花子 came
    page.locator("#capture-form").wait_for()
    _capture(c, DEATH_CAPTURE, phone_from="死亡届")  # the notifier's 連絡先 line
    return _print_and_sign(c, shot, "death")


def household_split_walk(c: Inputs, shot=None) -> dict:
    """世帯分離 within the city (a 世帯変更 ticket waiting), from "call next" to signed:
    健太 found by the birth date on his ID card (his parents' household comes with him),
    he leaves it for a new household at the same address (its one member heads it), he
    notifies, the phone, print, sign."""
    page = c.page
    _call_and_identify(c, "4080120")  # 平成8年1月20日, from his ID card
    page.locator("#households-form").wait_for()
    c.field("select[name=after_p3]")
    c.select("select[name=after_p3]", "new1")
    c.saved(lambda: c.press("Enter"))
    page.locator("#procedures li[data-id='registry.household_change']").wait_for()
    _applicant(c, "p3")  # 健太 came
    _capture(c, {})  # the contact phone
    return _print_and_sign(c, shot, "household_split")


def household_merge_walk(c: Inputs, shot=None) -> dict:
    """世帯合併 (a 世帯変更 ticket waiting), from "call next" to signed: 正 found by the
    birth date on his ID card, 彩 added from her own household by hers, she joins his
    household (no family tie: 同居人, derived), 正 notifies (identified: the default),
    the phone, print, sign."""
    page = c.page
    _call_and_identify(c, "3370404")  # 昭和37年4月4日, from his ID card
    _add_from_other_household(c, "4090630")  # 彩: 平成9年6月30日, from her ID card
    c.field("select[name=after_p4]")
    c.select("select[name=after_p4]", "300001")
    c.saved(lambda: c.press("Enter"))
    # no family tie to 正: 同居人, derived and flagged, not typed
    assert "同居人" in page.locator("#households tr[data-pid=p4]").inner_text()
    page.locator("#procedures li[data-id='registry.household_change']").wait_for()
    _capture(c, {})  # the contact phone
    return _print_and_sign(c, shot, "household_merge")


def _add_from_other_household(c: Inputs, birth: str) -> None:
    """One more person, found by the birth date on their ID card, who keeps their own
    household (続柄 「台帳のまま」): the search field, 7 digits, Enter, the 追加 click."""
    c.page.locator("#persons").wait_for()
    c.field("#q")
    c.ascii("#q", birth)
    c.press("Enter")
    c.page.locator("#search-results select[name=relationship]").wait_for()
    c.saved(lambda: c.click("#search-results button.pick"))


def _applicant(c: Inputs, pid: str) -> None:
    """Who came (届出人): the select, then Enter — nothing when the screen already names
    them (the person identified by the ID card they showed is the default)."""
    sel = c.page.locator("#applicant-form select[name=applicant]")
    if sel.input_value() == pid:
        assert c.page.locator("#applicant-source").count() == 1  # marked as the default
        return
    c.field("#applicant-form select[name=applicant]")
    c.select("#applicant-form select[name=applicant]", pid)
    c.saved(lambda: c.press("Enter"))
