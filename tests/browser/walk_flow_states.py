"""Demo walk: docs/screen-reprint-guide.png and docs/screen-visit-ido-state.png on the
demo city, and a late 死亡届.

Served by ``madoguchi demo --persons 3000 --port 8147 --business-date 2027-04-12`` with
``MADOGUCHI_HANDOFF_ROUTES=ido=ido_file`` and ``MADOGUCHI_IDO_DROP_DIR`` a folder that
does not exist yet (the core system's share not mounted), and a move-in and a death
ticket waiting (``services.issue_ticket``):
``python tests/browser/walk_flow_states.py OUTDIR DROP_DIR DECEASED_ATENA_NO [SEARCH]``
(SEARCH: the pending move-in family, ホシノ by default).

1. The pending move-in family: the head is in 国保, the bundle is printed, then the
   保険医療課's enrolment is marked done at the counter (Alt+J) — 「案内票を印刷し直して
   ください」 (screen-reprint-guide.png); Alt+R reprints the guide sheet alone.
2. Signed: the 異動 record fails (no share) — 失敗 with 再送; the share comes back,
   「再送」 — 送信済み with the file names, 反映待ち (screen-visit-ido-state.png).
3. A death on 2027-03-30 notified on 2027-04-12: 「死亡の事実を知った日」 is asked; the
   notifier learned of it on 4月2日 — still late: 期限超過 and the 届出期間経過 warning.
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from browser import demo_clerk_page, saved  # noqa: E402

BASE = "http://127.0.0.1:8147"
OUT, DROP, DECEASED = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
SEARCH = sys.argv[4] if len(sys.argv) > 4 else "ホシノ"


def shot(page, name):
    page.screenshot(path=f"{OUT}/{name}.png", full_page=True)


with sync_playwright() as pw:
    b, page = demo_clerk_page(pw, BASE)

    # 1. the move-in family, printed, then 同席
    page.goto(f"{BASE}/counter/")
    page.keyboard.press("Alt+n")
    page.wait_for_url("**/counter/visits/*/")
    page.locator("#q").press_sequentially(SEARCH)
    page.keyboard.press("Enter")
    page.locator("#search-results button.pick").first.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(page, lambda: page.keyboard.press("Enter"))
    page.keyboard.press("Alt+f")
    page.locator("#edit-fact select[name=pid]").select_option("p1")
    page.locator("#edit-fact select[name=field]").select_option("health_insurance")
    page.locator("#edit-fact select[name=value]").select_option("nhi")
    page.locator("#edit-fact input[name=reason]").press_sequentially("kikitori")
    saved(page, lambda: page.locator("#edit-fact input[name=reason]").press("Enter"))
    page.locator("#procedures li[data-id='nhi.enroll']").wait_for()
    # answer what is still asked, then confirm
    while page.locator("#questions").count() and page.locator("#confirm").count() == 0:
        saved(page, lambda: page.locator("#questions button[type=submit]").first.click())
    if page.locator("#confirm-facts").count():  # 要確認 left: 確認 refuses them
        page.keyboard.press("Alt+c")
        page.locator("#confirm-facts").wait_for(state="detached")
    saved(page, lambda: page.keyboard.press("Alt+k"))
    with page.context.expect_event("response", lambda r: r.url.endswith("bundle.pdf")):
        page.keyboard.press("Alt+p")
    page.locator("#sign-form").wait_for()
    page.keyboard.press("Alt+j")
    page.locator("#at-counter-form select[name=procedure]").select_option("nhi.enroll")
    page.locator("#at-counter-form select[name=status]").select_option("done")
    saved(page, lambda: page.locator("#at-counter-save").press("Enter"))
    page.locator("#reprint").wait_for()
    assert "案内票を印刷し直してください" in page.locator("#reprint").inner_text()
    shot(page, "screen-reprint-guide")
    with page.context.expect_event("response", lambda r: r.url.endswith("guide.pdf")) as info:
        page.keyboard.press("Alt+r")
    assert info.value.headers["content-type"] == "application/pdf"
    page.locator("#prints").wait_for()
    page.wait_for_function("() => !document.getElementById('reprint')")
    shot(page, "walk-reprinted")
    for p in page.context.pages[1:]:
        p.close()

    # 2. signed: the 異動 record, failed, then re-sent
    page.locator("select[name=id_document]").select_option("my_number_card")
    page.keyboard.press("Alt+d")
    page.locator("p.done").wait_for()
    page.reload()
    page.locator("#ido-state").wait_for()
    shot(page, "walk-ido-failed")
    assert "失敗" in page.locator("#ido-state").inner_text()
    DROP.mkdir()
    page.locator("#ido-retry button").click()
    page.wait_for_function("() => document.querySelector('#ido-state .ido-sent') !== null")
    text = page.locator("#ido-state").inner_text()
    assert "送信済み" in text and ".json" in text and "反映待ち" in text, text
    page.locator("#ido-state").scroll_into_view_if_needed()
    shot(page, "screen-visit-ido-state")

    # 3. the late death
    page.goto(f"{BASE}/counter/")
    page.keyboard.press("Alt+n")
    page.wait_for_url("**/counter/visits/*/")
    page.locator("#q").press_sequentially(DECEASED)
    page.keyboard.press("Enter")
    page.locator("#search-results button.pick").first.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(page, lambda: page.keyboard.press("Enter"))
    date_field = page.locator("#events input[name=event_date]")
    date_field.fill("")
    date_field.press_sequentially("R9.3.30")
    saved(page, lambda: date_field.press("Tab"))
    page.locator("#details-death select[name=deceased]").select_option("p1")
    saved(page, lambda: page.locator("#details-death button[type=submit]").click())
    known = page.locator("#death_known_date")
    known.wait_for()
    assert "令和9年3月30日" in known.input_value()
    shot(page, "walk-death-asked")
    known.fill("R9.4.2")
    saved(page, lambda: known.press("Enter"))
    page.locator("#procedures li[data-id='family_register.death'] .badge.overdue").wait_for()
    assert "届出期間経過通知書" in page.locator("#warnings").inner_text()
    shot(page, "walk-death-late")
    b.close()
