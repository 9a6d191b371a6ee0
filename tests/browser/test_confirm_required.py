"""確認 with 要確認 left, in a real browser (docs/counter.md, "要確認 in one key"): Alt+K
is refused naming the persons and facts, Alt+C confirms them in one key and Alt+K
goes through; or the clerk records why to go on (the override), shown on the visit.

Run: ``.venv/bin/pytest tests/browser/test_confirm_required.py -m browser`` (set
MADOGUCHI_SCREENSHOTS=docs to write docs/screen-confirm-required.png).
"""

import os

import pytest

from .conftest import Counted, login
from .test_counter_flow import saved
from .test_safety_flow import refused

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pending_family(browser, live_server, staff_factory) -> Counted:
    """The demo move-in family (pending 転出証明書情報) identified on a 転入 ticket: its
    insurance and pension are the register's guesses (被用者保険と推定（要確認）)."""
    from madoguchi.counter import services
    from madoguchi.register.generator import generate_pending

    generate_pending(1, seed=1)
    services.issue_ticket("move_in")
    ctx = login(browser, live_server, staff_factory("madoguchi", "clerk", "citizen"))
    c = Counted(ctx.new_page())
    c.page.goto(f"{live_server.url}/counter/")
    c.press("Alt+n")
    c.page.wait_for_url("**/counter/visits/*/")
    c.type("#q", "ホシノ")
    c.press("Enter")
    c.page.locator("#search-results button.pick").first.wait_for()
    c.page.wait_for_function("() => document.activeElement.classList.contains('pick')")
    saved(c, lambda: c.press("Enter"))
    c.page.locator("#questions").wait_for()
    return c


def test_refused_then_confirmed_with_one_key(browser, live_server, staff_factory):
    from madoguchi.counter.models import Visit

    c = _pending_family(browser, live_server, staff_factory)
    assert c.page.locator("#persons .badge.warn").count() >= 4  # 要確認 beside the facts
    error = refused(c, lambda: c.press("Alt+k"))
    assert "要確認が残っています" in error and "健康保険" in error and "年金" in error
    banner = c.page.locator("#warnings [data-code=unconfirmed_facts]")
    assert "Alt+C" in banner.inner_text()
    assert c.page.locator("#print").count() == 0  # not confirmed
    c.shot("confirm-required")
    c.press("Alt+c")  # saves the capture form first if it holds anything (counter.js)
    c.page.locator("#confirm-facts").wait_for(state="detached")
    assert c.page.locator("#warnings [data-code=unconfirmed_facts]").count() == 0
    assert "要確認" not in c.page.locator("#persons").inner_text()
    saved(c, lambda: c.press("Alt+k"))
    c.page.locator("#print").wait_for()
    assert Visit.objects.get().step == "confirmed"


def test_the_override_with_a_reason(browser, live_server, staff_factory):
    from madoguchi.audit.models import AuditRecord
    from madoguchi.counter.models import Visit

    c = _pending_family(browser, live_server, staff_factory)
    reason = c.page.locator("#warnings [data-code=unconfirmed_facts] input[name=reason]")
    assert "確かめずに進める理由" in reason.get_attribute("placeholder")
    c.type("#warnings [data-code=unconfirmed_facts] input[name=reason]", "ホケンショウナシ")
    saved(c, lambda: c.press("Enter"))
    banner = c.page.locator("#warnings [data-code=unconfirmed_facts]")
    assert "要確認のまま進めた" in banner.inner_text()
    assert "ホケンショウナシ" in banner.inner_text()
    saved(c, lambda: c.press("Alt+k"))
    c.page.locator("#print").wait_for()
    # after 確認 the override stays on the visit screen
    assert "ホケンショウナシ" in c.page.locator("#warnings").inner_text()
    visit = Visit.objects.get()
    assert visit.step == "confirmed"
    [ack] = visit.state["acknowledged"].values()
    assert ack["code"] == "unconfirmed_facts" and ack["reason"] == "ホケンショウナシ"
    assert AuditRecord.objects.filter(action="visit.acknowledge_warning").count() == 1
