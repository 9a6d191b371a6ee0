"""The ticket slip printed at reception: number, purpose, time — nothing about a person."""

import re

import pytest

from madoguchi.counter.models import Ticket


@pytest.mark.django_db
def test_issue_offers_the_slip_and_the_slip_shows_number_purpose_time(clerk_client):
    r = clerk_client.post("/counter/tickets/issue/", {"purpose": "certificate"})
    assert r.status_code == 302
    ticket = Ticket.objects.get()
    page = clerk_client.get("/counter/").content.decode()
    link = f"/counter/tickets/{ticket.pk}/slip/?print=1"
    assert link in page and ticket.display_no in page

    html = clerk_client.get(link).content.decode()
    assert f'id="slip-number">{ticket.display_no}<' in html
    assert "証明書の請求" in html
    assert re.search(r"発券: \d{4}-\d\d-\d\d \d\d:\d\d", html)
    assert "counter/slip.js" in html and "<nav" not in html  # a page of its own


@pytest.mark.django_db
def test_slip_is_for_counter_staff_only(client, staff_factory):
    t = Ticket.objects.create(issued_on="2027-04-01", group="onestop", number=7, purpose="move_in")
    assert client.get(f"/counter/tickets/{t.pk}/slip/").status_code == 302  # login first
    client.force_login(staff_factory("kosodate", "department", "child"))
    assert client.get(f"/counter/tickets/{t.pk}/slip/").status_code == 403
