"""The read-only catalog browser: by event, by department, by procedure."""

from datetime import date
from html import unescape

import pytest


@pytest.mark.django_db
def test_index_lists_events_departments_and_procedures(clerk_client):
    r = clerk_client.get("/catalog/")
    assert r.status_code == 200
    html = r.content.decode()
    assert "転入（国内の他市区町村から）" in html and "保険医療課" in html
    assert "/catalog/procedure/registry.move_in/" in html
    assert "まだ登録されていません" in html
    from madoguchi.catalog.services import load_into_db

    version = load_into_db()
    html = clerk_client.get("/catalog/").content.decode()
    assert version.digest[:12] in html and "公開中" in html


@pytest.mark.django_db
def test_event_page_lists_only_its_procedures(clerk_client):
    html = clerk_client.get("/catalog/event/birth/").content.decode()
    assert "出生届" in html and "低体重児の届出" in html
    assert "転出届" not in html


@pytest.mark.django_db
def test_department_page(clerk_client):
    html = clerk_client.get("/catalog/department/education/").content.decode()
    assert "小・中学校 転入学" in html and "教育庁舎2階" in html
    assert "転入届" not in html


@pytest.mark.django_db
def test_procedure_page_shows_rule_in_japanese_and_triggering_situations(clerk_client):
    html = clerk_client.get("/catalog/procedure/child_allowance.claim/").content.decode()
    assert "異動する子の児童手当の請求者" in html  # the condition's label
    assert "異動する子の児童手当の請求者" in html  # generated from the JSON Logic
    assert "{claimant_of_moving_kid_kids}" not in html  # placeholders are not shown raw
    assert "move_in_family_of_four" in html  # a worked example that triggers it
    assert "シナリオ:" in html
    assert clerk_client.get("/catalog/procedure/no.such/").status_code == 404


@pytest.mark.django_db
def test_date_selects_the_version(clerk_client):
    html = clerk_client.get("/catalog/?on=2020-01-01").content.decode()
    assert "版 2019-02-01" in html  # the versions in force then
    assert "2024-10-01" in clerk_client.get("/catalog/?on=2025-01-01").content.decode()


def test_browser_requires_login(client):
    r = client.get("/catalog/")
    assert r.status_code in (302, 403)


@pytest.mark.django_db
def test_every_procedure_event_and_department_page_renders(clerk_client):
    from madoguchi.catalog.loader import current_catalog
    from madoguchi.rules.explain import trigger_text

    cat = current_catalog()
    view = cat.at(date.today())
    untriggered = []
    for proc in view.procedures:
        r = clerk_client.get(f"/catalog/procedure/{proc.id}/")
        assert r.status_code == 200, proc.id
        html = unescape(r.content.decode())
        assert proc.name in html and cat.department(proc.department).place in html
        for t in proc.triggers:  # each condition in readable Japanese
            for c in trigger_text(t, view.conditions):
                assert c["label"] in html and c["logic_ja"] in html, (proc.id, c["id"])
        if "例はありません" in html:
            untriggered.append(proc.id)
    assert untriggered == []  # every procedure is shown with a situation that triggers it
    html = unescape(clerk_client.get("/catalog/procedure/school.transfer_in/").content.decode())
    assert (
        "学齢（〈学齢の区分〉）: 〈生年月日〉 生まれ, 就学 〈就学日〉" in html
    )  # no {placeholders}
    assert "{" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    for eid in cat.events:
        assert clerk_client.get(f"/catalog/event/{eid}/").status_code == 200
    for did in cat.departments:
        assert clerk_client.get(f"/catalog/department/{did}/").status_code == 200
