"""The register search in a real browser, keyboard only: type, Enter, ↓, Enter, Alt+H,
Alt+S, Alt+1. Run: ``.venv/bin/pytest madoguchi/register/tests -m browser``."""

from datetime import date

import pytest

from madoguchi.register.models import Household
from madoguchi.register.tests.test_search import make_person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def page(browser, live_server, staff_factory):
    """A 1280×800 chromium page logged in as a clerk (forced-login session cookie)."""
    from django.test import Client

    client = Client()
    client.force_login(staff_factory("kbd", "clerk", "citizen"))
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    ctx.add_cookies([cookie | {"url": live_server.url, "sameSite": "Strict"}])
    ctx.set_default_timeout(20_000)
    yield ctx.new_page()
    ctx.close()


def test_search_by_keyboard(page, live_server):
    hh = Household.objects.create(household_no="7001")
    make_person(
        "髙橋\u3000一郎", "タカハシ\u3000イチロウ", date(1993, 1, 1), household=hh, atena_no="701"
    )
    make_person(
        "高橋\u3000花子",
        "タカハシ\u3000ハナコ",
        date(1994, 2, 2),
        household=hh,
        atena_no="702",
        relationship="妻",
    )
    make_person(
        "高橋\u3000守",
        "タカハシ\u3000マモル",
        date(1980, 3, 3),
        atena_no="703",
        support_measure=True,
    )

    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/register/")
    assert page.evaluate("document.activeElement.id") == "q"  # autofocus
    page.keyboard.type("たかはし")
    page.keyboard.press("Enter")
    page.locator("#results table").wait_for()
    rows = page.locator("#results tbody tr")
    assert rows.count() == 3
    assert page.locator("#results tr.masked").inner_text().count("閲覧権限がありません") == 1
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == "高橋\u3000花子"
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == "髙橋\u3000一郎"
    page.keyboard.press("Enter")
    page.wait_for_url("**/register/p/*/")
    assert page.locator("#person-name").inner_text() == "髙橋\u3000一郎"
    page.keyboard.press("Alt+h")
    page.wait_for_url("**/register/h/*/")
    names = page.locator("table.members a.name").all_inner_texts()
    assert names == ["髙橋\u3000一郎", "高橋\u3000花子"]
    page.keyboard.press("Alt+s")
    page.wait_for_url("**/register/")
    page.keyboard.type("4050101")
    page.keyboard.press("Enter")
    page.locator("#results table").wait_for()
    page.keyboard.press("Alt+1")
    page.wait_for_url("**/register/p/*/")
    assert not errors
