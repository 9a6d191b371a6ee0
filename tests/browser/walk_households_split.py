"""Demo walk: docs/screen-households.png on the demo city — a 世帯分離, an adult son
leaves his parents' household and heads his own. On a fresh demo city
(``madoguchi demo --no-serve``) with a 世帯変更 ticket waiting
(``services.issue_ticket("household_change")``), served by ``madoguchi serve --port 8093``:
``python tests/browser/walk_households_split.py OUTDIR ATENA_NO`` (ATENA_NO: the son, a
child of 20 or more in a household of three; 1000261498 in the seed-1 demo)."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from browser import demo_clerk_page, saved  # noqa: E402

BASE = "http://127.0.0.1:8093"
OUT = sys.argv[1]
ATENA = sys.argv[2]
with sync_playwright() as pw:
    b, page = demo_clerk_page(pw, BASE)
    page.goto(f"{BASE}/counter/")
    page.keyboard.press("Alt+n")
    page.wait_for_url("**/counter/visits/*/")

    page.locator("#q").press_sequentially(ATENA)
    page.keyboard.press("Enter")
    page.locator("#search-results button.pick").first.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(page, lambda: page.keyboard.press("Enter"))
    page.locator("select[name=after_p3]").focus()
    page.locator("select[name=after_p3]").select_option("new1")
    saved(page, lambda: page.keyboard.press("Enter"))
    page.locator("#procedures li[data-id='registry.household_change']").wait_for()
    page.screenshot(path=f"{OUT}/screen-households.png", full_page=True)
    assert page.locator("#households-form input[name=heads][value=p3]").is_checked()
    assert "令和" in page.locator("#events input[name=event_date]").input_value()
    b.close()
