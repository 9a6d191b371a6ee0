"""The read-only catalog browser: by event, by department, by procedure."""

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
    assert "児童手当の請求者" in html  # the condition's label
    assert "生計中心者である または" in html  # generated from the JSON Logic
    assert "move_in_family_of_four" in html  # a worked example that triggers it
    assert "シナリオ:" in html
    assert clerk_client.get("/catalog/procedure/no.such/").status_code == 404


@pytest.mark.django_db
def test_date_selects_the_version(clerk_client):
    html = clerk_client.get("/catalog/?on=2020-01-01").content.decode()
    assert "版 2016-01-01" in html  # the versions in force then
    assert "2024-04-01" in clerk_client.get("/catalog/?on=2025-01-01").content.decode()


def test_browser_requires_login(client):
    r = client.get("/catalog/")
    assert r.status_code in (302, 403)
