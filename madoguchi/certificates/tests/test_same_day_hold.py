"""A 支援措置 granted this morning (a same-day hold, register.services.set_protection_hold)
holds for certificates at once: certificates read persons through the register's front
door, which counts the hold even where a register row does not carry the flag (yet) —
e.g. a row last night's import wrote before the holds were re-applied."""

from __future__ import annotations

import json

import pytest

from madoguchi.audit.models import AuditRecord
from madoguchi.certificates import services as s
from madoguchi.certificates.models import Certificate, CertificateRequest
from madoguchi.register import services as register
from madoguchi.register.models import Person
from madoguchi.register.refs import ref_for

PROTECTED = "200002"  # 髙橋　花子, a member of the household of four
JSON = "application/json"


@pytest.fixture(params=["flag", "hold only"])
def held(request, city, protected_clerk):
    """The hold set this morning; "hold only": the register row without the flag."""
    register.set_protection_hold(PROTECTED, protected_clerk, "DV相談（本日受理）")
    if request.param == "hold only":
        Person.objects.filter(atena_no=PROTECTED).update(support_measure=False)
    return request.param


def _request(atena, kind="juminhyo_some", persons=None, **kw):
    return s.RequestIn(
        subject_atena_no=atena, lines=[s.Line(kind, 1, None, persons or [atena])], **kw
    )


def _refusal(user) -> AuditRecord:
    return AuditRecord.objects.filter(actor_username=user.username).order_by("-seq").first()


def test_clerk_without_permission_is_refused_everywhere(held, clerk, client):
    client.force_login(clerk)
    body = {"subject_atena_no": PROTECTED, "lines": [{"kind": "juminhyo_some"}]}
    r = client.post("/api/certificates/requests", json.dumps(body), content_type=JSON)
    assert r.status_code == 403 and r.json()["detail"] == str(s.REFUSED_MESSAGE)
    rec = _refusal(clerk)
    assert rec.action == "certificates.refused" and rec.flagged
    assert PROTECTED in rec.person_ids
    # the request page for the person: refused, flagged, nothing of the person shown
    session = client.session
    ref = ref_for(session, "person", PROTECTED)
    session.save()
    r = client.get(f"/certificates/new/{ref}/")
    assert r.status_code == 403 and "花子" not in r.content.decode()
    assert _refusal(clerk).action == "register.person.denied" and _refusal(clerk).flagged
    # the household copy asked by the head: it would print the protected member
    with pytest.raises(s.Refused):
        s.issue(_request("200001", kind="juminhyo_all"), clerk)
    assert _refusal(clerk).flagged
    assert not Certificate.objects.exists() and not CertificateRequest.objects.exists()


def test_the_person_themself_is_served_by_permitted_staff(held, protected_clerk):
    req = s.issue(_request(PROTECTED), protected_clerk)
    assert req.certificates.get().person_atena_nos == [PROTECTED]
    rec = AuditRecord.objects.filter(action="certificates.issue").get()
    assert rec.flagged and rec.person_ids == [PROTECTED]


def test_nobody_else_gets_it_even_from_permitted_staff(held, protected_clerk):
    third = dict(
        requester_type="third_party",
        requester_name="債権　者",
        requester_address="札幌市",
        purpose="債権回収",
    )
    with pytest.raises(s.Refused):
        s.issue(_request(PROTECTED, **third), protected_clerk)
    household = dict(requester_type="household", requester_atena_no="200001")
    with pytest.raises(s.Refused):
        s.issue(_request(PROTECTED, **household), protected_clerk)
    refusals = AuditRecord.objects.filter(action="certificates.refused")
    assert refusals.count() == 2 and all(r.flagged for r in refusals)
    assert not Certificate.objects.exists()


def test_without_the_hold_the_same_requests_are_served(city, clerk):
    """The control: before the hold the clerk is served (the refusals above are the hold's)."""
    s.issue(_request(PROTECTED), clerk)
    assert Certificate.objects.count() == 1


def test_the_front_doors_other_reads_count_the_hold_too(held, clerk):
    """Search, person, household and the visit's reads: the same rule as certificates."""
    rows = register.search(PROTECTED, clerk).rows  # by 宛名番号
    assert [(r.masked, r.person) for r in rows] == [(True, None)]
    with pytest.raises(register.Protected):
        register.read_person(PROTECTED, clerk)
    view = register.read_household(
        Person.objects.get(atena_no="200001").household.household_no, clerk
    )
    assert sum(r.masked for r in view.rows) == 1 and view.flagged
    with pytest.raises(register.ProtectedRefused):
        register.household_for_visit("200001", clerk, query="test")
    with pytest.raises(register.ProtectedRefused):
        register.person_for_visit(PROTECTED, clerk, query="test")
