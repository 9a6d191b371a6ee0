"""確認 refuses a visit with 要確認 facts left (issue 11, "the interview asks what the
register cannot say"): each is confirmed (Alt+C, one key), changed with its reason, or
the clerk goes on for a recorded reason (an override, audited and shown on the visit).
The same rule through the service, the JSON API and the HTML views."""

import pytest

from madoguchi.audit.models import AuditRecord
from madoguchi.counter import services
from madoguchi.counter.models import Visit
from madoguchi.counter.services.errors import CounterError
from madoguchi.counter.tests.test_visit import Flow, post

pytestmark = pytest.mark.django_db


def _open(clerk_client) -> Flow:
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")  # the pending family: 被用者保険と推定（要確認）
    return f


def _left(f) -> dict:
    return next(w for w in f.v["warnings"] if w["code"] == "unconfirmed_facts")


def test_the_service_refuses_to_confirm_with_guesses_left(clerk_client, clerk, pending_family):
    f = _open(clerk_client)
    visit = Visit.objects.get(pk=f.id)
    with pytest.raises(CounterError) as refused:
        services.confirm(visit.pk, visit.version, clerk)
    assert refused.value.field == "facts"
    # the message names the persons and the facts left
    names = [p["data"]["register"]["name"] for p in f.v["persons"] if p["involved"]]
    assert all(n in refused.value.message for n in names[:2])
    assert "健康保険" in refused.value.message and "年金" in refused.value.message
    assert Visit.objects.get(pk=f.id).step == "interview"  # nothing written
    visit = services.confirm_facts(visit.pk, visit.version, clerk)
    visit = services.confirm(visit.pk, visit.version, clerk)
    assert visit.step == "confirmed"


def test_a_changed_guess_is_no_longer_left(clerk_client, clerk, pending_family):
    f = _open(clerk_client)
    w = _left(f)
    assert set(w["facts"]["p1"]) == {"health_insurance", "pension"}
    f.step("facts", pid="p1", field="health_insurance", value="nhi", reason="本人: 国保")
    w = _left(f)
    assert w["facts"]["p1"] == ["pension"]  # only what nobody touched
    assert "p1.health_insurance" not in w["key"]


def test_the_api_refuses_naming_the_field_and_alt_c_then_confirms(clerk_client, pending_family):
    f = _open(clerk_client)
    w = _left(f)
    assert w["severity"] == "warning" and w["needs_acknowledgement"] and w["field"] == "facts"
    assert w["persons"][:2] == ["p1", "p2"]
    r = f.step("confirm", expect=400)
    assert [e["field"] for e in r["errors"]] == ["facts"]
    assert "要確認" in r["detail"]
    f.step("confirm-facts")
    assert not [w for w in f.v["warnings"] if w["code"] == "unconfirmed_facts"]
    r = post(clerk_client, f"/api/counter/visits/{f.id}/confirm", {"version": f.v["version"]})
    assert r.status_code == 200 and r.json()["step"] == "confirmed"


def test_the_override_takes_a_reason_is_audited_and_shown(clerk_client, pending_family):
    f = _open(clerk_client)
    key = _left(f)["key"]
    # no reason: refused, naming the field, nothing written
    r = f.step("acknowledge", expect=400, key=key, reason="  ")
    assert r["errors"][0]["field"] == "reason"
    f.step("acknowledge", key=key, reason="本人が保険証を持参せず、勤務先に確認中")
    w = _left(f)
    assert not w["needs_acknowledgement"]
    assert w["acknowledged"]["reason"].startswith("本人が保険証") and w["acknowledged"]["by"]
    assert AuditRecord.objects.filter(action="visit.acknowledge_warning").count() == 1
    visit = Visit.objects.get(pk=f.id)
    assert visit.state["acknowledged"][key]["code"] == "unconfirmed_facts"
    f.step("confirm")
    assert f.v["step"] == "confirmed"
    # the override stays on the visit after 確認, in the API and on the screen
    assert _left(f)["acknowledged"]["reason"].startswith("本人が保険証")
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "要確認のまま進めた" in page and "勤務先に確認中" in page


def test_an_override_holds_for_the_facts_it_named(clerk_client, pending_family):
    """One more person with a guess is a new warning: the override does not cover him."""
    f = _open(clerk_client)
    key = _left(f)["key"]
    f.step("acknowledge", key=key, reason="後日確認")
    f.step("facts", pid="p1", field="pension", value="1", reason="本人: 自営業")
    # the set changed (one fact fewer): a new warning, to confirm or override again
    assert _left(f)["key"] != key and _left(f)["needs_acknowledgement"]
    f.step("confirm", expect=400)


def test_the_html_views_refuse_the_same(clerk_client, pending_family):
    f = _open(clerk_client)
    url = f"/counter/visits/{f.id}/do/confirm/"
    r = clerk_client.post(url, {"version": f.v["version"]}, HTTP_HX_REQUEST="true")
    page = r.content.decode()
    assert "要確認が残っています" in page
    assert Visit.objects.get(pk=f.id).step == "interview"
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    # the banner offers the override and points at the one key
    assert 'data-code="unconfirmed_facts"' in page and "Alt+C" in page
    assert "確かめずに進める理由" in page
    version = Visit.objects.get(pk=f.id).version
    clerk_client.post(
        f"/counter/visits/{f.id}/do/confirm_facts/", {"version": version}, HTTP_HX_REQUEST="true"
    )
    version = Visit.objects.get(pk=f.id).version
    clerk_client.post(url, {"version": version}, HTTP_HX_REQUEST="true")
    assert Visit.objects.get(pk=f.id).step == "confirmed"
