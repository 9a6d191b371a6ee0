"""The API's event dates as clerks type them: 和暦, the register's 7 digits or ISO, read by
the one parser (core.wareki.parse_wareki); a bad date is a 422 naming the field."""

from datetime import date

import pytest

from madoguchi.counter.models import Visit

from .test_visit import Flow, post

TYPED = ["R9.3.29", "令和9年3月29日", "5090329", "2027-03-29", "Ｒ９．３．２９", "r9/3/29"]


@pytest.mark.parametrize("typed", TYPED)
def test_events_event_date_accepts_what_clerks_type(clerk_client, household, typed):
    f = Flow(clerk_client)
    f.step("identify", atena_no="200001")
    f.step("events", events=["move_within"], event_date=typed)
    assert f.v["event_date"] == "2027-03-29"
    assert Visit.objects.get(pk=f.id).event_date == date(2027, 3, 29)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("R9.2.30", "存在しない"),  # no 30 February
        ("令和元年4月30日", ""),  # 平成 still
        ("5090229", "存在しない"),  # 2027 is a common year
        ("yesterday", ""),
        ("9999999", ""),  # era code 9 does not exist
    ],
)
def test_a_bad_event_date_is_refused_naming_the_field(clerk_client, household, typed, says):
    f = Flow(clerk_client)
    f.step("identify", atena_no="200001")
    before = f.v["version"]
    r = f.step("events", expect=422, events=["move_within"], event_date=typed)
    assert [e["field"] for e in r["errors"]] == ["event_date"]
    assert says in r["errors"][0]["message"]
    assert Visit.objects.get(pk=f.id).version == before  # nothing written


def test_a_number_is_not_a_date(clerk_client, household):
    f = Flow(clerk_client)
    f.step("identify", atena_no="200001")
    r = f.step("events", expect=422, events=["move_within"], event_date=5090329)
    assert r["errors"][0]["field"] == "event_date"


def test_a_blank_event_date_keeps_the_one_set(clerk_client, household):
    f = Flow(clerk_client)
    f.step("identify", atena_no="200001")
    f.step("events", events=["move_within"], event_date="R9.3.29")
    f.step("events", events=["move_within"], event_date="")
    f.step("events", events=["move_within"], event_date=None)
    assert f.v["event_date"] == "2027-03-29"


def test_open_visit_takes_a_wareki_event_date(clerk_client, household):
    r = post(clerk_client, "/api/counter/visits", {"event_date": "R9.4.1"})
    assert r.status_code == 201, r.content
    assert r.json()["event_date"] == "2027-04-01"
    r = post(clerk_client, "/api/counter/visits", {"event_date": "R9.4.31"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "event_date"


def test_openapi_documents_the_typed_forms(clerk_client):
    schema = clerk_client.get("/api/openapi.json").json()
    comps = schema["components"]["schemas"]
    for name in ("EventsIn", "VisitIn"):
        prop = comps[name]["properties"]["event_date"]
        assert "R9.3.29" in prop["examples"] and "5090329" in prop["examples"]
        assert "和暦" in prop["description"]
