"""Households at the counter in a real browser, ticket to signed bundle: a son who leaves
his parents' household to marry a woman living alone (both move, he heads the new
household, her new surname), 世帯分離 and 世帯合併. Each checks the procedures shown, the
printed 住民異動届 (届出人, 旧住所, 新旧世帯主, 続柄) and the department queue.

Run: ``.venv/bin/pytest tests/browser/test_households_flow.py`` (MADOGUCHI_SCREENSHOTS=docs
writes docs/screen-households-marriage.png and docs/form-juminido-households.png;
docs/screen-households.png is taken on the demo city by ``walk_households_split.py``).
"""

import os
from pathlib import Path

import pytest

from madoguchi.counter.tests import residents

from .conftest import SCREENSHOT_DIR, Counted, login
from .test_counter_flow import call_next, confirm, print_and_sign, saved, shown_procedures

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff(staff_factory):
    return {
        "clerk": staff_factory("madoguchi", "clerk", "citizen"),
        "citizen": staff_factory("shimin", "department", "citizen"),
    }


@pytest.fixture
def families(db):
    """北見 正 and 恵 with their son 健太 (the register keeps his old 転入前住所), and 美幌
    彩 living alone in another household — the counter tests' own residents."""
    residents.families()


def pdf_text(pdf: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    try:
        text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()
    return "".join(text.split())


def juminido(pdf: bytes) -> str:
    text = pdf_text(pdf)
    start = text.index("住民異動届")
    return text[start : start + 2000]


def save_form_png(pdf: bytes, name: str) -> None:
    """The 住民異動届 page of the bundle as a PNG under docs/ (MADOGUCHI_SCREENSHOTS)."""
    if not SCREENSHOT_DIR:
        return
    import pypdfium2 as pdfium

    from madoguchi.documents.tests.pngdiff import encode_png, page_pixels

    doc = pdfium.PdfDocument(pdf)
    try:
        pages = [
            i for i in range(len(doc)) if "住民異動届" in doc[i].get_textpage().get_text_range()
        ]
    finally:
        doc.close()
    width, height, grey = page_pixels(pdf, pages[0], scale=1.6)
    (Path(SCREENSHOT_DIR) / f"form-{name}.png").write_bytes(encode_png(width, height, grey))


def identify(c: Counted, atena_no: str):
    c.type("#q", atena_no)
    c.press("Enter")
    c.page.locator("#search-results button.pick").first.wait_for()
    # the swapped results settled: the first result holds the focus (a condition, not a pause)
    c.page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(c, lambda: c.press("Enter"))
    c.page.locator("#persons").wait_for()


def add_other_household(c: Counted, atena_no: str):
    """A person of another household, kept in it (続柄 「台帳のまま」)."""
    c.type("#q", atena_no)
    c.press("Enter")
    c.page.locator("#search-results select[name=relationship]").wait_for()
    saved(c, lambda: c.click("#search-results button.pick"))


def set_address(c: Counted):
    """The new address through the address picker: a 町域 found by romaji and a 番地 the
    register holds there, then — the couple's home being where they set the new 本籍 —
    the proposal ↓ gives on the empty field, taken with Enter and saved with Enter."""
    page = c.page
    active = "() => document.activeElement.id"
    page.locator("#postal_code").focus()
    c.type("#postal_code", "kitayon")  # 北四条東 (Japan Post: キタ４ジョウヒガシ)
    page.locator("#postal-list[data-typed='kitayon'] li[aria-selected=true]").wait_for()
    assert page.locator("#postal-list li[data-value]").first.inner_text().startswith("北四条東")
    c.press("Enter", "#postal_code")
    assert page.locator("#postal_code").input_value() == "0900024"
    assert page.locator("#town").input_value() == "北四条東"
    assert "北見市北四条東" in page.locator("#postal_code-shown").inner_text()
    page.wait_for_function(f"{active} === 'banchi'")
    c.type("#banchi", "3-")  # the register's 番地 in 北四条東, no names, nothing chosen yet
    page.locator("#banchi-list[data-typed='3-'] li[data-value]").first.wait_for()
    listed = page.locator("#banchi-list").inner_text()
    assert "3丁目1番地" in listed and "北見" not in listed and "美幌" not in listed
    c.press("ArrowDown", "#banchi")
    c.press("Enter", "#banchi")
    assert page.locator("#banchi").input_value() == "3丁目1番地"
    # no: they move to where they set the new 本籍 — the empty field proposes it
    page.locator("#postal_code").fill("")
    page.locator("#postal_code").dispatch_event("input")
    assert page.locator("#town").input_value() == ""  # what the choice filled is gone
    c.press("ArrowDown", "#postal_code")
    proposal = page.locator("#postal-list li[data-fill-banchi][aria-selected=true]")
    proposal.wait_for()
    assert "新本籍と同じ" in proposal.inner_text()
    c.shot("address-picker")
    c.press("Enter", "#postal_code")
    assert page.locator("#banchi").input_value() == "4丁目2番地"
    page.wait_for_function(f"{active} === 'katagaki'")
    saved(c, lambda: c.press("Enter", "#katagaki"))
    page.locator("#address .current-address", has_text="北五条東4丁目2番地").wait_for()


def confirm_print_sign(c: Counted) -> bytes:
    confirm(c)
    return print_and_sign(c, "my_number_card")


def department_queue(browser, live_server, user) -> str:
    ctx = login(browser, live_server, user)
    page = ctx.new_page()
    page.goto(f"{live_server.url}/tasks/")
    page.locator("table.task-queue").wait_for()
    html = page.content()
    ctx.close()
    return html


def split_son(c: Counted) -> bytes:
    """世帯分離 of the identified 北見 household: 健太 (p3) heads his own household and
    notifies; confirm, print, sign. Returns the bundle."""
    c.select("select[name=after_p3]", "new1")
    c.click("#households-form input[name=heads][value=p3]")
    saved(c, lambda: c.click("#households-save"))
    c.page.locator("#procedures li[data-id='registry.household_change']").wait_for()
    c.select("#applicant-form select[name=applicant]", "p3")
    saved(c, lambda: c.click("#applicant-save"))
    return confirm_print_sign(c)


def groups(page, table: str) -> list[tuple[str, list[str]]]:
    """(title, pids) of each household group of a persons table, as shown."""
    shown = page.eval_on_selector_all(
        f"{table} tbody.household-group",
        """gs => gs.map(g => [g.querySelector("tr.group th").firstChild.textContent.trim(),
                            [...g.querySelectorAll("tr[data-pid]")].map(r => r.dataset.pid)])""",
    )
    return [(title, pids) for title, pids in shown]


def test_son_marries_and_moves_into_a_new_household(browser, live_server, staff, families):
    from madoguchi.counter import services

    services.issue_ticket("marriage")
    ctx = login(browser, live_server, staff["clerk"])
    c = Counted(ctx.new_page())
    call_next(c, live_server)
    identify(c, "300013")  # 健太: his parents' household comes with him (p1 p2 p3)
    add_other_household(c, "300021")  # 彩 keeps her own household: no 「配偶者は1人まで」
    assert c.page.locator("#determine-error", has_text="配偶者").count() == 0
    saved(c, lambda: c.click("#events input[value=move_within]"))
    c.page.locator("#address").wait_for()
    saved(c, lambda: c.click("#persons input[value=p1]"))  # the parents stay
    saved(c, lambda: c.click("#persons input[value=p2]"))
    # the couple proposed: 健太 (identified by his ID card) and 彩 (from another
    # household), marked; the clerk ticks whose surname changes and saves
    couple = c.page.locator("#details-marriage input[name=couple]:checked")
    assert couple.evaluate_all("els => els.map(e => e.value)") == ["p3", "p4"]
    assert c.page.locator("[data-source-of='marriage.couple']").count() == 1
    c.click("#details-marriage input[name=surname_changes][value=p4]")
    saved(c, lambda: c.click("#details-marriage button[type=submit]"))
    # the households after the move proposed, not yet saved: both to one new household
    # that 健太 heads (he keeps his surname), marked; Enter saves it (the focus is there)
    c.page.locator("#households-source").wait_for()
    assert c.page.locator("select[name=after_p3]").input_value() == "new1"
    assert c.page.locator("select[name=after_p4]").input_value() == "new1"
    assert c.page.locator("#households-form input[name=heads][value=p3]").is_checked()
    assert not c.page.locator("#households-form input[name=heads][value=p4]").is_checked()
    c.page.wait_for_function("() => document.activeElement.id === 'households-save'")
    saved(c, lambda: c.press("Enter"))
    assert c.page.locator("#households-source").count() == 0  # saved: no longer a proposal
    row = c.page.locator("#households tr[data-pid=p4] .zokugara-after")
    assert row.inner_text() == "妻"
    # the persons table grouped by household now (head first) and after the event
    assert groups(c.page, "#persons-table") == [
        ("北見　正の世帯", ["p1", "p2", "p3"]),
        ("美幌　彩の世帯", ["p4"]),
    ]
    assert groups(c.page, "#after-groups") == [
        ("北見　正の世帯", ["p1", "p2"]),
        ("新しい世帯 1（世帯主: 北見　健太）", ["p3", "p4"]),
    ]
    # the new 戸籍 of the couple (筆頭者 健太) and her new surname: the 戸籍 is one, so
    # what is given for her is his too (shown on his form, marked)
    c.type("#new-name-p4 input[name=surname]", "北見")
    c.type("#new-name-p4 input[name=surname_kana]", "キタミ")
    c.type("#new-name-p4 input[name=honseki]", "北海道北見市北五条東4丁目2番地")
    c.type("#new-name-p4 input[name=hittousha]", "北見　健太")
    saved(c, lambda: c.click("#new-name-p4 button[type=submit]"))
    his = c.page.locator("#new-name-p3 input[name=honseki]")
    assert his.input_value() == "北海道北見市北五条東4丁目2番地"
    assert "同じ戸籍" in c.page.locator("#new-name-p3").inner_text()
    c.select("#applicant-form select[name=applicant]", "p3")  # 健太 came
    saved(c, lambda: c.click("#applicant-save"))
    set_address(c)
    got = shown_procedures(c.page)
    assert {"family_register.marriage", "registry.move_within", "nhi.record_change"} <= got
    assert "registry.household_change" not in got  # 正 stays head of his household
    c.shot("households-marriage")
    pdf = confirm_print_sign(c)
    save_form_png(pdf, "juminido-households")
    text = juminido(pdf)
    assert "届出人氏名北見健太" in text and "新世帯主北見健太" in text
    assert "旧住所北海道北見市北四条東3丁目1番地" in text and "世田谷" not in text
    assert "北見彩" in text and "妻" in text and "旧世帯主北見正" in text
    assert "本籍北海道北見市北五条東4丁目2番地筆頭者北見健太旧世帯主美幌彩" in text
    ctx.close()
    queue = department_queue(browser, live_server, staff["citizen"])
    table = queue.split("task-queue", 1)[1][:3000]
    assert "北見　健太" in queue and "美幌　彩" in queue, table  # as registered


def test_household_split(browser, live_server, staff, families):
    from madoguchi.counter import services

    services.issue_ticket("household_change")
    ctx = login(browser, live_server, staff["clerk"])
    c = Counted(ctx.new_page())
    call_next(c, live_server)
    identify(c, "300011")
    pdf = split_son(c)
    text = juminido(pdf)
    assert "新世帯主北見健太" in text and "旧世帯主北見正" in text and "届出人氏名北見健太" in text
    assert "北見恵" not in text  # only who changes household is listed
    ctx.close()
    assert "北見　健太" in department_queue(browser, live_server, staff["citizen"])


def test_household_merge(browser, live_server, staff, families):
    from madoguchi.counter import services

    services.issue_ticket("household_change")
    ctx = login(browser, live_server, staff["clerk"])
    c = Counted(ctx.new_page())
    call_next(c, live_server)
    identify(c, "300011")
    add_other_household(c, "300021")
    c.select("select[name=after_p4]", "300001")  # 彩 joins 正's household
    saved(c, lambda: c.click("#households-save"))
    # no family tie to 正: 同居人 is derived and flagged, nothing typed
    row = c.page.locator("#households tr[data-pid=p4]")
    assert row.locator(".zokugara-after").inner_text() == "同居人"
    assert row.locator(".badge.warn").count() == 1
    c.page.locator("#procedures li[data-id='nhi.record_change']").wait_for()
    assert "registry.household_change" in shown_procedures(c.page)
    c.select("#applicant-form select[name=applicant]", "p4")
    saved(c, lambda: c.click("#applicant-save"))
    pdf = confirm_print_sign(c)
    text = juminido(pdf)
    assert "新世帯主北見正" in text and "旧世帯主美幌彩" in text and "同居人" in text
    ctx.close()
    assert "美幌　彩" in department_queue(browser, live_server, staff["citizen"])
