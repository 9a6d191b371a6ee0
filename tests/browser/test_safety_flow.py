"""Safety of the flow in a real browser (docs/counter.md, "Safety of the flow"): on a
move-in ticket the pending move-ins come first and ↑/↓ walk the results; a 転入 built
for a resident is a warning whose 「転居に変更」 clears it; an 異動日 after the 届出日 is
refused with the field outlined; a late 転入 shows 期限超過, needs the reason for the
delay, and the guide sheet prints the same.

Run: ``.venv/bin/pytest tests/browser/test_safety_flow.py -m browser`` (set
MADOGUCHI_SCREENSHOTS=docs to write docs/screen-safety-*.png).
"""

import os
from pathlib import Path

import pytest

from bench.browser import SETTLED
from madoguchi.counter.tests.residents import hoshino_resident

from .conftest import SCREENSHOT_DIR, Counted, login
from .test_counter_flow import saved

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pdf_text_and_png(pdf: bytes, png: str) -> str:
    import pypdfium2 as pdfium

    from madoguchi.documents.tests.pngdiff import encode_png, page_pixels

    doc = pdfium.PdfDocument(pdf)
    try:
        pages = len(doc)
        text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(pages))
    finally:
        doc.close()
    if SCREENSHOT_DIR:  # the guide sheet is the last page
        width, height, grey = page_pixels(pdf, pages - 1, scale=1.6)
        (Path(SCREENSHOT_DIR) / png).write_bytes(encode_png(width, height, grey))
    return text


def _search(c: Counted, text: str):
    c.type("#q", text)
    c.press("Enter")
    c.page.locator("#search-results button.pick").first.wait_for()
    c.page.wait_for_function("() => document.activeElement.classList.contains('pick')")


def refused(c: Counted, action) -> str:
    """Do an action the visit refuses (400): the same version, the error shown and
    settled (the re-rendered visit's autofocus would take the keys typed next)."""
    c.page.evaluate("document.getElementById('error') && document.getElementById('error').remove()")
    action()
    c.page.locator("#error").wait_for()
    c.page.wait_for_function(f"() => {SETTLED}")
    return c.page.locator("#error").inner_text()


def _results(page) -> list[str]:
    return page.locator("#search-results tr td:last-child").all_inner_texts()


def test_safety_of_the_flow(browser, live_server, staff_factory, settings):
    from madoguchi.counter import services
    from madoguchi.counter.models import Visit
    from madoguchi.register.generator import generate_pending

    generate_pending(1, seed=1)  # the 星野 family moving in (異動日 2027-03-29)
    hoshino_resident()  # a resident of the same name
    services.issue_ticket("move_in")
    services.issue_ticket("move_in")
    clerk = staff_factory("madoguchi", "clerk", "citizen")
    ctx = login(browser, live_server, clerk)
    errors = []
    c = Counted(ctx.new_page())
    c.page.on("pageerror", lambda e: errors.append(str(e)))

    # --- 3. the search of a move-in ticket: the pending family first, ↑/↓ through it
    c.page.goto(f"{live_server.url}/counter/")
    c.press("Alt+n")
    c.page.wait_for_url("**/counter/visits/*/")
    _search(c, "ホシノ")
    states = _results(c.page)
    assert len(states) == 5
    assert all("転入予定" in s for s in states[:4]) and states[4] == "住民"
    c.shot("safety-search")
    picks = c.page.locator("#search-results button.pick")
    for i in (1, 2, 3, 4):
        c.press("ArrowDown")
        assert picks.nth(i).evaluate("e => e === document.activeElement")
    c.press("ArrowUp")
    assert picks.nth(3).evaluate("e => e === document.activeElement")
    c.press("ArrowDown")

    # --- 1. the resident taken for a 転入: a warning, 確認 refused, 転居 offered
    c.press("Enter")  # the resident's row has the focus
    warning = c.page.locator("#warnings [data-code=resident_move_in]")
    warning.wait_for()
    assert "星野　一樹 は現在この市の住民です" in warning.inner_text()
    c.shot("safety-resident")
    assert "現在この市の住民" in refused(c, lambda: c.press("Alt+k"))
    assert c.page.locator("#print").count() == 0  # not confirmed
    saved(c, lambda: c.click("#switch-move_within"))
    assert c.page.locator("#warnings [data-code=resident_move_in]").count() == 0
    assert c.page.locator("#procedures li[data-id='registry.move_within']").count() == 1
    assert c.page.locator("#procedures li[data-id='registry.move_in']").count() == 0

    # --- 2. the family notified on 2027-04-30, 32 days after moving in
    settings.MADOGUCHI_BUSINESS_DATE = "2027-04-30"
    c.page.goto(f"{live_server.url}/counter/")
    c.press("Alt+n")
    c.page.wait_for_function("() => /visits\\/\\d+\\/$/.test(location.pathname)")
    c.page.locator("#q").wait_for()
    _search(c, "ホシノ")
    saved(c, lambda: c.press("Enter"))  # the pending family, first
    assert c.page.locator("#persons .badge.pending").count() == 4
    # a date typed after the 届出日: refused, the field outlined
    date_field = c.page.locator("#events input[name=event_date]")
    date_field.fill("")
    c.type("#events input[name=event_date]", "R9.5.3")
    saved(c, lambda: c.press("Tab"))
    ahead = c.page.locator("#warnings [data-code=event_date_ahead]")
    assert "受付できません" in ahead.inner_text() and "令和9年5月3日" in ahead.inner_text()
    assert date_field.get_attribute("aria-invalid") == "true"
    c.shot("safety-date")
    assert refused(c, lambda: c.press("Alt+k")).startswith("異動日")
    # the date the family moved in: the 転入届 is late
    date_field.fill("")
    c.type("#events input[name=event_date]", "5090329")
    saved(c, lambda: c.press("Tab"))
    assert c.page.locator("#warnings [data-code=event_date_ahead]").count() == 0
    late = c.page.locator("#warnings [data-code=notification_late]")
    assert "簡易裁判所" in late.inner_text() and "転入届" in late.inner_text()
    move_in = c.page.locator("#procedures li[data-id='registry.move_in']")
    assert "期限超過" in move_in.inner_text() and "令和9年4月12日" in move_in.inner_text()
    school = c.page.locator("#procedures li[data-id='school.transfer_in']")
    assert "期限超過" not in school.inner_text()
    c.shot("safety-late")
    assert "遅れた理由" in refused(c, lambda: c.press("Alt+k"))
    c.type("#warnings [data-code=notification_late] input[name=reason]", "ニュウイン")
    saved(c, lambda: c.press("Enter"))
    assert "確認の理由: ニュウイン" in c.page.locator("#warnings").inner_text()
    # the insurance and pension guesses left: 確認 refuses them until asked (Alt+C)
    assert "要確認が残っています" in refused(c, lambda: c.press("Alt+k"))
    saved(c, lambda: c.press("Alt+c"))
    saved(c, lambda: c.press("Alt+k"))
    c.page.locator("#print").wait_for()
    visit = Visit.objects.order_by("-pk").first()
    assert visit.step == "confirmed"
    assert list(visit.state["acknowledged"].values())[0]["reason"] == "ニュウイン"
    # the guide sheet shows the same flags
    pdf = c.page.request.get(f"{live_server.url}/counter/visits/{visit.pk}/bundle.pdf").body()
    text = pdf_text_and_png(pdf, "form-guide-late.png")
    assert "ご注意" in text and "簡易裁判所" in text and "期限超過" in text
    assert "発行日:令和9年4月30日" in text.replace(" ", "")  # 発行日 = the 届出日
    assert errors == []
