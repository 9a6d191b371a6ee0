"""The UI is Japanese unless staff switch language, whatever the browser asks for."""

import pytest


@pytest.mark.django_db
def test_english_browser_still_gets_japanese(client):
    r = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="ja">' in r.content.decode()


@pytest.mark.django_db
def test_language_switch_gives_english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    r = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ja")
    assert '<html lang="en">' in r.content.decode()
