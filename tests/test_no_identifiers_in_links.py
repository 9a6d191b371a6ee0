"""No screen links to a URL carrying a person's identifier (issues 9 and 14): a 宛名番号
or 世帯番号 in a URL lands in proxy and browser logs. The screens link through opaque
per-session references (register/refs.py); the deprecated identifier routes answer with
Deprecation/Sunset headers until their announced removal (docs/permissions.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from permissions_world import NORMAL, PROTECTED, build

REPO = Path(__file__).resolve().parent.parent
URL_ATTR = re.compile(r'(?:href|action|src|hx-get|hx-post|data-url)="([^"]*)"')


def _identifiers() -> set[str]:
    from madoguchi.register.models import Household, Person

    return set(Person.objects.values_list("atena_no", flat=True)) | set(
        Household.objects.values_list("household_no", flat=True)
    )


def _links(html: str) -> list[str]:
    return URL_ATTR.findall(html)


def _carrying(links: list[str], identifiers: set[str]) -> list[str]:
    return [url for url in links for i in identifiers if re.search(rf"(?<![0-9]){i}(?![0-9])", url)]


@pytest.fixture
def world(db):
    return build()


def test_rendered_pages_link_without_identifiers(client, world):
    client.force_login(world.staff["clerk_perm"])  # sees every person, so every link
    ids = _identifiers()
    pages = {}

    def page(label, response):
        assert response.status_code == 200, (label, response.status_code)
        pages[label] = response.content.decode()
        return pages[label]

    for q in (NORMAL[0], PROTECTED):
        page(f"search {q}", client.post("/register/", {"q": q}))
        page(f"search fragment {q}", client.post("/register/", {"q": q}, HTTP_HX_REQUEST="true"))
        page(f"certificates {q}", client.post("/certificates/", {"q": q}))
    results = pages[f"search {NORMAL[0]}"]
    person = [u for u in _links(results) if u.startswith("/register/p/")]
    household = [u for u in _links(results) if u.startswith("/register/h/")]
    assert person and household  # the results do link to the person and the household
    page("person", client.get(person[0]))
    page("household", client.get(household[0]))
    page("visit", client.get(f"/counter/visits/{world.visit('clerk_perm', 'own')}/"))
    certificate = [u for u in _links(pages["visit"]) if u.startswith("/certificates/new/")]
    assert certificate  # the visit links to each register person's certificate screen
    page("certificate request", client.get(certificate[0].replace("&amp;", "&")))

    found = {label: _carrying(_links(html), ids) for label, html in pages.items()}
    assert not any(found.values()), found


def test_the_same_check_catches_an_identifier_link(world):
    """The check above is not vacuous: the deprecated route's URL is caught."""
    assert _carrying(["/register/person/300001/"], _identifiers()) == ["/register/person/300001/"]


def test_a_reference_is_good_only_in_its_session(client, world, django_user_model):
    from django.test import Client

    client.force_login(world.staff["clerk"])
    html = client.post("/register/", {"q": NORMAL[0]}).content.decode()
    url = next(u for u in _links(html) if u.startswith("/register/p/"))
    assert NORMAL[0] not in url and client.get(url).status_code == 200
    other = Client()
    other.force_login(world.staff["clerk_perm"])
    assert other.get(url).status_code == 404  # another session: the reference means nothing


def test_deprecated_routes_announce_their_sunset(client, world):
    client.force_login(world.staff["clerk"])
    r = client.get(f"/register/person/{NORMAL[0]}/")
    assert r.status_code == 200 and r["Deprecation"] == "true" and "2027" in r["Sunset"]


def test_deprecated_api_reads_announce_their_sunset(client, world):
    """The JSON API's identifier reads carry the same announcement as the pages, naming the
    POST lookup that replaces them; the lookups themselves carry none."""
    client.force_login(world.staff["clerk"])
    r = client.get(f"/api/register/persons/{NORMAL[0]}")
    assert r.status_code == 200, r.content
    assert r["Deprecation"] == "true" and "2027" in r["Sunset"]
    assert "/api/register/persons/lookup" in r["Link"] and "successor-version" in r["Link"]
    household_no = r.json()["household_no"]
    h = client.get(f"/api/register/households/{household_no}")
    assert h.status_code == 200 and h["Deprecation"] == "true"
    assert "/api/register/households/lookup" in h["Link"]
    lookup = client.post(
        "/api/register/persons/lookup", {"atena_no": NORMAL[0]}, content_type="application/json"
    )
    assert lookup.status_code == 200 and "Deprecation" not in lookup


def test_templates_and_scripts_use_no_identifier_route():
    """Templates and scripts never build the identifier routes (grep, as the reviewer would)."""
    banned = re.compile(
        r"url ['\"](register:person|register:household|certificates:new)['\"]"
        r"|/register/person/|/register/household/|/certificates/new/['\"]?\s*\+"
    )
    files = [*REPO.glob("madoguchi/**/templates/**/*.html"), *REPO.glob("madoguchi/static/**/*.js")]
    assert files
    offending = [str(f.relative_to(REPO)) for f in files if banned.search(f.read_text())]
    assert not offending, offending
