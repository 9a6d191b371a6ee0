"""A broken catalog is an error page that says so (and a 503 from the API naming the
file and line), never a quietly degraded screen with ids instead of names."""

import shutil

import pytest

from madoguchi.catalog.loader import DEMO_DIR


@pytest.fixture
def broken_catalog(tmp_path, settings):
    target = tmp_path / "broken"
    shutil.copytree(DEMO_DIR, target)
    path = target / "departments.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "\nnot: [valid\n", encoding="utf-8")
    settings.MADOGUCHI_CATALOG_DIR = target
    return target


@pytest.mark.parametrize("url", ["/catalog/", "/tasks/", "/analytics/"])
def test_pages_say_the_catalog_is_broken(admin_client, broken_catalog, url):
    r = admin_client.get(url)
    assert r.status_code == 503
    text = r.content.decode()
    assert "手続きカタログを読み込めません" in text
    assert "departments.yaml:" in text


def test_the_api_answers_503_naming_the_file(admin_client, broken_catalog):
    r = admin_client.get("/api/catalog/procedures")
    assert r.status_code == 503
    body = r.json()
    assert body["detail"] == "catalog not loadable"
    assert any(i["file"] == "departments.yaml" for i in body["issues"])


def test_a_good_catalog_serves_the_pages(admin_client):
    assert admin_client.get("/catalog/").status_code == 200
