"""The 異動 page walked as a counter clerk in a real browser (docs/ido.md): a birth signed
while the core system's drop folder is not mounted (the record fails and is listed), the
clerk re-sends it from the page once the folder is back; after the next register import
the newborn — registered by the core system with its name stored differently — is listed
要確認 with the candidate, and the clerk records the 宛名番号 by choosing it.

Run: ``.venv/bin/pytest tests/browser/test_ido_flow.py`` (``MADOGUCHI_SCREENSHOTS=docs``
writes ``docs/screen-ido-handoff.png`` and ``docs/screen-ido.png``).
"""

import json
import os

import pytest

from .conftest import Counted, login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def couple(db):
    from madoguchi.counter.tests import residents

    return residents.couple()


def _signed_birth(clerk) -> int:
    """The birth of 陽葵 signed through the counter API (the part walked elsewhere)."""
    from django.test import Client

    from madoguchi.counter.tests.test_ido_match import _signed_birth

    client = Client()
    client.force_login(clerk)
    return _signed_birth(client).pk


def test_the_ido_page_as_a_clerk(browser, live_server, staff_factory, couple, settings, tmp_path):
    from madoguchi.audit.models import AuditRecord
    from madoguchi.counter.models import IdoHandOff, VisitPerson
    from madoguchi.counter.tests.test_ido_match import _registered

    drop = tmp_path / "kikan-ido"  # the core system's share, not mounted yet
    settings.MADOGUCHI_HANDOFF_ROUTES = {"ido": "ido_file"}
    settings.MADOGUCHI_IDO_DROP_DIR = str(drop)
    clerk = staff_factory("madoguchi", "clerk", "citizen")
    visit_id = _signed_birth(clerk)
    item = IdoHandOff.objects.get(visit_id=visit_id)
    assert item.handoff_state == "failed"

    ctx = login(browser, live_server, clerk)
    c = Counted(ctx.new_page())
    c.page.goto(f"{live_server.url}/counter/")
    c.click("#ido-link")  # from the counter's page
    c.page.locator("h1").filter(has_text="異動の照合").wait_for()
    handoffs = c.page.locator("table.ido-handoff")
    assert item.stem in handoffs.inner_text()
    assert "受け渡しフォルダがありません" in handoffs.inner_text()
    c.shot("ido-handoff")
    # the share is back: the clerk re-sends
    drop.mkdir()
    c.click("button:has-text('連携失敗を再送')")
    c.page.locator("text=すべての異動記録を基幹系に受け渡しました").wait_for()
    assert "成功 1 件" in c.page.locator(".messages").inner_text()
    assert sorted(p.name for p in drop.iterdir()) == [f"{item.stem}.csv", f"{item.stem}.json"]
    data = json.loads((drop / f"{item.stem}.json").read_text("utf-8"))
    assert [r["name"] for r in data["records"]] == ["星野　陽葵"]

    # the next register import: the core system stored her name with a half-width space
    _registered("300013", name="星野 陽葵")
    c.page.goto(f"{live_server.url}/counter/ido/?days=3")
    row = c.page.locator("tr.ido-要確認")
    row.wait_for()
    text = row.inner_text()
    assert "星野　陽葵" in text and "300013" in text and "氏名が異なる" in text
    c.shot("ido")
    # the clerk compares and chooses the candidate
    c.click("tr.ido-要確認 button:has-text('この人と照合')")
    c.page.locator(".messages").filter(has_text="宛名番号を記録しました").wait_for()
    row = c.page.locator("tr", has_text="星野　陽葵").first
    assert "300013" in row.inner_text() and "一致" in row.inner_text()
    assert c.page.locator("tr.ido-要確認").count() == 0
    vp = VisitPerson.objects.get(visit_id=visit_id, source="newborn")
    assert vp.atena_no == "300013" and vp.data["register_link"]["how"] == "clerk"
    assert AuditRecord.objects.filter(action="ido.link", person_ids=["300013"]).exists()
    ctx.close()
