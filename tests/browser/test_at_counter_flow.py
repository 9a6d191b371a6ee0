"""同席 in a real browser: a move-in where the 保険医療課's clerk comes to the counter and
completes the 国保 enrolment there. The counter marks it by keyboard (Alt+J), the guide
sheet says 「窓口で手続済み」, the insurance queue does not show it as new work, the task
page shows where and by whom it was done, and the department can reopen it.

``MADOGUCHI_SCREENSHOTS=docs`` writes screen-at-counter.png, screen-queue-at-counter.png,
screen-task-at-counter.png and guide-at-counter.png (the guide sheet page).
"""

import os
from pathlib import Path

import pytest

from .conftest import SCREENSHOT_DIR, Counted, login
from .test_counter_flow import confirm, print_and_sign, saved
from .test_households_flow import pdf_text

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(staff_factory):
    return {
        "clerk": staff_factory("madoguchi", "clerk", "citizen", last_name="窓口", first_name="花子"),
        "hoken": staff_factory("hoken", "department", "insurance", last_name="保険", first_name="太郎"),
    }  # fmt: skip


def save_guide_png(pdf: bytes) -> None:
    """The guide sheet (last page) as docs/guide-at-counter.png."""
    if not SCREENSHOT_DIR:
        return
    import pypdfium2 as pdfium

    from madoguchi.documents.tests.pngdiff import encode_png, page_pixels

    doc = pdfium.PdfDocument(pdf)
    last = len(doc) - 1
    doc.close()
    width, height, grey = page_pixels(pdf, last, scale=1.6)
    (Path(SCREENSHOT_DIR) / "guide-at-counter.png").write_bytes(encode_png(width, height, grey))


def test_move_in_with_nhi_done_at_the_counter(browser, live_server, staff):
    from madoguchi.counter import services
    from madoguchi.register.generator import generate_pending
    from madoguchi.tasks.models import Task

    generate_pending(1, seed=1)
    services.issue_ticket("move_in")
    ctx = login(browser, live_server, staff["clerk"])
    c = Counted(ctx.new_page())
    page = c.page
    page.goto(f"{live_server.url}/counter/")
    c.press("Alt+n")
    page.wait_for_url("**/counter/visits/*/")
    c.type("#q", "ホシノ")
    c.press("Enter")
    page.locator("#search-results button.pick").first.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(c, lambda: c.press("Enter"))  # the pending family
    # the head tells he is in 国保 (the pending data cannot say): 国保 加入 appears
    c.press("Alt+f")
    c.select("#edit-fact select[name=pid]", "p1")
    c.select("#edit-fact select[name=field]", "health_insurance")
    c.select("#edit-fact select[name=value]", "nhi")
    c.type("#edit-fact input[name=reason]", "kikitori")
    saved(c, lambda: c.press("Enter", "#edit-fact input[name=reason]"))
    page.locator("#procedures li[data-id='nhi.enroll']").wait_for()
    # 保険医療課の保険さん came to the counter and enrolled him: Alt+J, the procedure, done
    c.press("Alt+j")
    assert page.evaluate("document.activeElement.name") == "procedure"
    option = page.locator("#at-counter-form select[name=procedure] option[value='nhi.enroll']")
    assert "窓口で完了可" in option.inner_text()  # the catalog lets the counter complete it
    c.select("#at-counter-form select[name=procedure]", "nhi.enroll")
    c.select("#at-counter-form select[name=status]", "done")
    c.select("#at-counter-form select[name=staff]", "hoken")
    saved(c, lambda: c.press("Enter", "#at-counter-save"))
    mark = page.locator("#procedures li[data-id='nhi.enroll'] .at-counter-done")
    mark.wait_for()
    assert "窓口で完了" in mark.inner_text() and "保険 太郎" in mark.inner_text()
    c.shot("at-counter")
    # a procedure the catalog does not let the counter complete is refused, field named
    c.select("#at-counter-form select[name=procedure]", "registry.move_in")
    c.select("#at-counter-form select[name=status]", "done")
    c.select("#at-counter-form select[name=staff]", "")
    c.press("Enter", "#at-counter-save")
    page.locator("#error", has_text="カタログ").wait_for()
    confirm(c)
    pdf = print_and_sign(c, "my_number_card")
    text = pdf_text(pdf)
    guide = text[text.index("手続き案内票") :]
    row = guide[guide.index("国民健康保険加入") : guide.index("国民健康保険加入") + 60]
    assert "窓口で手続済み" in row and "保険医療課" not in row
    save_guide_png(pdf)
    task = Task.objects.get(procedure_id="nhi.enroll")
    assert (task.status, task.handling) == ("done", "at_counter")
    # the counter's task list shows it done without a reload
    page.locator("#visit-tasks tr.task-done").first.wait_for(timeout=60_000)
    ctx.close()

    # the insurance department: not new 受付 work; with 完了も表示 it says where and who
    dctx = login(browser, live_server, staff["hoken"])
    d = dctx.new_page()
    d.goto(f"{live_server.url}/tasks/")
    d.locator("table.task-queue").wait_for()
    shown = d.locator("table.task-queue tr[data-procedure]")
    assert "nhi.enroll" not in shown.evaluate_all("els => els.map(e => e.dataset.procedure)")
    d.keyboard.press("Alt+h")
    row = d.locator("table.task-queue tr[data-procedure='nhi.enroll']")
    row.wait_for()
    assert "完了" in row.inner_text() and "窓口で完了: 保険 太郎" in row.inner_text()
    assert "星野" in row.locator("td.names").inner_text()
    if SCREENSHOT_DIR:
        d.screenshot(path=str(Path(SCREENSHOT_DIR) / "screen-queue-at-counter.png"), full_page=True)
    row.locator("a").first.click()
    history = d.locator("ol.history li.at-counter")
    history.wait_for()
    assert "完了（窓口で同席）" in history.inner_text() and "保険 太郎" in history.inner_text()
    # the department looks again: reopen with a reason (Alt+O), by keyboard
    d.locator("#reopen-form input[name=reason]").fill("記号番号の確認")
    d.keyboard.press("Alt+o")
    d.locator("#status", has_text="処理中").wait_for()
    if SCREENSHOT_DIR:
        d.screenshot(path=str(Path(SCREENSHOT_DIR) / "screen-task-at-counter.png"), full_page=True)
    task.refresh_from_db()
    assert task.status == "in_progress"
    dctx.close()
