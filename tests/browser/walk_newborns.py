"""Demo walk: docs/screen-twins.png and docs/screen-newborn-father.png on the demo city.

On a fresh demo city (``madoguchi demo --persons 3000 --no-serve``) with two 出生 tickets
waiting (``services.issue_ticket("birth")`` twice), served by ``madoguchi serve --port
PORT``:

    python tests/browser/walk_newborns.py OUTDIR PORT COUPLE_ATENA SINGLE_ATENA

COUPLE_ATENA: a wife of a couple (the twins' mother); SINGLE_ATENA: a woman living alone
(a child born outside marriage, its father living elsewhere). The first walk adds twins,
corrects the second twin through 修正 and tells of an older son living elsewhere (the
count of earlier children overridden); the second enters the father at the counter. Each
prints the bundle; the 出生届 pages are written as PNG (pypdfium2) beside the screens.
"""

import io
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from browser import demo_clerk_page, saved  # noqa: E402

OUT, PORT, COUPLE, SINGLE = sys.argv[1:5]
BASE = f"http://127.0.0.1:{PORT}"


def identify(page, atena):
    page.goto(f"{BASE}/counter/")
    page.keyboard.press("Alt+n")
    page.wait_for_url("**/counter/visits/*/")
    page.locator("#q").press_sequentially(atena)
    page.keyboard.press("Enter")
    page.locator("#search-results button.pick").first.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(page, lambda: page.keyboard.press("Enter"))
    page.locator("#newborn-form").wait_for()


def newborn(page, values, sex):
    for sel, value in values:
        page.fill(sel, value)
    page.select_option("#nb-sex", sex)


def confirm(page):
    """要確認 confirmed as shown (Alt+C), the contact phone, 確認: the bundle can print."""
    if page.locator("#confirm-facts").count():
        saved(page, lambda: page.click("#confirm-facts"))
    if page.locator("#capture-form").count():
        page.fill("input[data-cap='visit.phone']", "0157123456")
        saved(page, lambda: page.locator("input[data-cap='visit.phone']").press("Enter"))
    if page.locator("#confirm").count():
        saved(page, lambda: page.click("#confirm"))


def registrations(page, name):
    """The bundle's 出生届 pages as grey PNG at 110 ppi (the documents tests' writer)."""
    import pypdfium2 as pdfium

    from madoguchi.documents.tests.pngdiff import encode_png, page_pixels

    url = page.locator("#print").get_attribute("href")
    body = page.request.get(f"{BASE}{url}").body()
    doc = pdfium.PdfDocument(io.BytesIO(body))
    n = 0
    for i in range(len(doc)):
        text = doc[i].get_textpage().get_text_range().replace(" ", "")
        if "出生届" in text and "父母との" in text:
            n += 1
            width, height, grey = page_pixels(body, i, scale=110 / 72)
            Path(f"{OUT}/{name}-{n}.png").write_bytes(encode_png(width, height, grey))
            print(name, n, text.replace("\r\n", "")[:900])


with sync_playwright() as pw:
    b, page = demo_clerk_page(pw, BASE)

    # 1. twins of a couple; the second twin corrected; an older son living elsewhere
    identify(page, COUPLE)
    newborn(page, (("#nb-name", "高橋　陽葵"), ("#nb-kana", "たかはし　ひまり"),
                   ("#nb-birth", "R9.6.12"), ("#nb-time", "14:05"),
                   ("#nb-place", "北見赤十字病院"), ("#nb-weight", "2600")), "female")  # fmt: skip
    saved(page, lambda: page.click("#newborn-save"))
    for sel, value in (("#tw-name", "高橋　𠮷人"), ("#tw-kana", "たかはし　よしと"),
                       ("#tw-time", "14:12"), ("#tw-weight", "2310")):  # fmt: skip
        page.fill(sel, value)
    page.select_option("#tw-sex", "male")
    page.check("#tw-premature")
    saved(page, lambda: page.click("#twin-save"))
    twin = page.locator("#newborns-list tr[data-pid]").last.get_attribute("data-pid")
    page.locator(f"#nb-edit-{twin}").focus()
    page.keyboard.press("Enter")
    page.locator("#nb-editing", has_text="𠮷人").wait_for()
    page.fill("#nb-time", "14:21")
    page.fill("#nb-prior-male", "1")
    page.fill("#nb-prior-reason", "長男は祖父母宅に住む")
    saved(page, lambda: page.locator("#nb-time").press("Enter"))
    page.screenshot(path=f"{OUT}/screen-twins.png", full_page=True)
    confirm(page)
    registrations(page, "twins-registration")

    # 2. a mother living alone; the father (胎児認知) lives elsewhere
    identify(page, SINGLE)
    newborn(page, (("#nb-name", "加藤　結衣"), ("#nb-kana", "かとう　ゆい"),
                   ("#nb-birth", "R9.6.12"), ("#nb-time", "09:40"),
                   ("#nb-place", "北見赤十字病院"), ("#nb-weight", "3010")), "female")  # fmt: skip
    page.select_option("#nb-father", "outside")
    page.wait_for_function("() => document.getElementById('nb-father-outside').open")
    for sel, value in (("#nb-father-name", "網走　三郎"), ("#nb-father-kana", "あばしり　さぶろう"),
                       ("#nb-father-birth", "H5.1.20"),
                       ("#nb-father-honseki", "北海道網走市南六条東1丁目"),
                       ("#nb-father-hittousha", "網走　一郎"),
                       ("#nb-father-address", "北海道網走市南六条東1丁目5番地")):  # fmt: skip
        page.fill(sel, value)
    saved(page, lambda: page.locator("#nb-father-address").press("Enter"))
    page.screenshot(path=f"{OUT}/screen-newborn-father.png", full_page=True)
    confirm(page)
    registrations(page, "father-registration")
    b.close()
