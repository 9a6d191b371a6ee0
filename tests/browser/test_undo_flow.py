"""A wrong identification undone in a real browser, ticket to signed bundle: the clerk
identifies the wrong resident (美幌 彩), takes her out of the visit with a reason (the
identification is undone), identifies the right household (北見), and the visit goes on
to a signed bundle of 世帯分離. Checks the removal's reason kept in the visit and its
audit record, the printed 住民異動届 and the department queue (only the right persons).

Run: ``.venv/bin/pytest tests/browser/test_undo_flow.py``.
"""

import os

import pytest

from .conftest import Counted, login
from .test_counter_flow import call_next, saved
from .test_households_flow import (  # noqa: F401 (fixtures)
    department_queue,
    families,
    identify,
    juminido,
    split_son,
    staff,
)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "本人特定の誤り（同姓同名の別人）"


def test_wrong_identification_undone(browser, live_server, staff, families):  # noqa: F811
    from madoguchi.audit.models import AuditRecord
    from madoguchi.counter import services
    from madoguchi.counter.models import Visit

    services.issue_ticket("household_change")
    ctx = login(browser, live_server, staff["clerk"])
    c = Counted(ctx.new_page())
    call_next(c, live_server)
    identify(c, "300021")  # the wrong resident
    persons = c.page.locator("#persons")
    assert "美幌" in persons.inner_text()
    c.click("#undo summary")
    form = c.page.locator("#remove-person-form")
    form.wait_for()
    c.select("#remove-person-form select[name=pid]", "p1")
    c.type("#remove-person-form input[name=reason]", REASON)
    saved(c, lambda: c.click("#remove-person"))
    visit = Visit.objects.get(pk=int(c.page.url.rstrip("/").rsplit("/", 1)[1]))
    assert visit.household_no == "" and not visit.persons.exists()  # identification undone
    assert visit.state["removed"][0]["reason"] == REASON
    assert visit.state["removed"][0]["by"] == staff["clerk"].username
    audit = AuditRecord.objects.filter(action="visit.remove_person")
    assert [r.person_ids for r in audit] == [["300021"]]
    # the right household: 健太 forms his own household
    identify(c, "300011")
    text = c.page.locator("#persons").inner_text()
    assert "北見" in text and "美幌" not in text
    pdf = split_son(c)
    form_text = juminido(pdf)
    assert "新世帯主北見健太" in form_text and "美幌" not in form_text
    visit.refresh_from_db()
    assert visit.step == "done" and visit.household_no == "300001"
    assert visit.state["removed"][0]["reason"] == REASON  # kept after signing
    ctx.close()
    queue = department_queue(browser, live_server, staff["citizen"])
    assert "北見　健太" in queue and "美幌　彩" not in queue
