"""Idle expiry: the screens' timed polls do not keep a session alive; an expired
session sends the whole screen to the login page, which says why."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://testserver/counter/"}


@pytest.fixture
def session(clerk_client):
    key = clerk_client.session.session_key
    soon = timezone.now() + timedelta(seconds=60)
    Session.objects.filter(pk=key).update(expire_date=soon)
    return key, soon


@pytest.mark.parametrize("route", ["counter:queue_panel", "tasks:table"])
def test_polls_do_not_renew_the_session(clerk_client, session, route):
    key, soon = session
    for _ in range(3):
        assert clerk_client.get(reverse(route), **HTMX).status_code == 200
    assert Session.objects.get(pk=key).expire_date == soon


def test_what_a_person_does_renews_it(clerk_client, session):
    key, soon = session
    assert clerk_client.get("/counter/").status_code == 200
    assert Session.objects.get(pk=key).expire_date > soon + timedelta(seconds=600)


def test_a_poll_after_expiry_sends_the_screen_to_the_login_page(clerk_client, session):
    key, _ = session
    Session.objects.filter(pk=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    r = clerk_client.get(reverse("counter:queue_panel"), **HTMX)
    assert r.status_code == 200 and r.content == b""
    assert r["HX-Redirect"] == "/accounts/login/?next=/counter/&expired=1"
    page = clerk_client.get(r["HX-Redirect"])
    assert "一定時間操作がなかったため" in page.content.decode()
    # A full page load after expiry: the ordinary redirect, saying the same.
    r = clerk_client.get("/register/")
    assert r.status_code == 302 and r.url.endswith("&expired=1")


def test_a_fresh_visitor_is_not_told_about_expiry(client, db):
    r = client.get("/register/")
    assert r.status_code == 302 and "expired" not in r.url
