"""支援措置 at every door, and visits that belong to the clerk who holds them (issue 9).

The matrix test (test_permission_matrix.py) shows who passes which door; these tests show
what happens at the door: the refusal message, the flagged audit row, nothing copied,
hand-over and take-over, the same-day hold, department register grants."""

from __future__ import annotations

import json

import pytest
from permissions_world import NORMAL, PROTECTED, PROTECTED_HOUSEMATE, build

from madoguchi.audit.models import AuditRecord
from madoguchi.counter.models import Visit, VisitPerson

REFUSAL = "支援措置対象者です。権限のある職員に引き継いでください"


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def world(db):
    return build()


def _as(client, world, role):
    client.force_login(world.staff[role] if role in world.staff else world.clerk_b)
    return client


def _version(visit_id):
    return Visit.objects.get(pk=visit_id).version


def _last(action):
    return AuditRecord.objects.filter(action=action).order_by("seq").last()


def test_a_clerk_cannot_add_a_protected_person_by_atena_no(client, world):
    c = _as(client, world, "clerk")
    vid = world.visit("clerk", "own")
    r = post(
        c, f"/api/counter/visits/{vid}/persons", {"version": _version(vid), "atena_no": PROTECTED}
    )
    assert r.status_code == 400 and r.json()["detail"] == REFUSAL
    assert not VisitPerson.objects.filter(visit_id=vid, atena_no=PROTECTED).exists()
    rec = _last("visit.add_person.denied")
    assert rec.flagged and rec.person_ids == [PROTECTED] and rec.actor_username == "u_clerk"
    # the screen refuses the same way
    r = c.post(
        f"/counter/visits/{vid}/do/add_person/",
        {"version": _version(vid), "atena_no": PROTECTED},
    )
    assert r.status_code == 400 and REFUSAL in r.content.decode()
    assert "陽子" not in r.content.decode()  # no name of the protected household


def test_a_clerk_cannot_identify_a_household_containing_a_protected_person(client, world):
    c = _as(client, world, "clerk")
    vid = world.visit("clerk", "own")
    Visit.objects.filter(pk=vid).update(step="identify")
    VisitPerson.objects.filter(visit_id=vid).delete()
    # the housemate is not protected, the household is
    r = post(
        c,
        f"/api/counter/visits/{vid}/identify",
        {"version": _version(vid), "atena_no": PROTECTED_HOUSEMATE},
    )
    assert r.status_code == 400 and r.json()["detail"] == REFUSAL
    assert not VisitPerson.objects.filter(visit_id=vid).exists()
    rec = _last("visit.identify.denied")
    assert rec.flagged and set(rec.person_ids) == {PROTECTED, PROTECTED_HOUSEMATE}


def test_permitted_staff_serve_and_every_read_and_print_is_flagged(client, world):
    c = _as(client, world, "clerk_perm")
    vid = world.visit("clerk_perm", "own")
    Visit.objects.filter(pk=vid).update(step="identify")
    VisitPerson.objects.filter(visit_id=vid).delete()
    r = post(
        c, f"/api/counter/visits/{vid}/identify", {"version": _version(vid), "atena_no": PROTECTED}
    )
    assert r.status_code == 200
    assert {p["atena_no"] for p in r.json()["persons"]} == {PROTECTED, PROTECTED_HOUSEMATE}
    assert _last("visit.read_household").flagged
    c.get(f"/api/counter/visits/{vid}")
    assert _last("visit.read").flagged
    Visit.objects.filter(pk=vid).update(step="confirmed", result={"procedures": []})
    from madoguchi.counter import access

    assert access.protected_in(Visit.objects.get(pk=vid)) == {PROTECTED}


def test_another_clerks_visit_is_refused_and_flagged(client, world):
    c = _as(client, world, "clerk")
    other = world.visit("clerk", "other")
    for url in (
        f"/api/counter/visits/{other}",
        f"/counter/visits/{other}/",
        f"/api/counter/visits/{other}/bundle.pdf",
    ):
        r = c.get(url)
        assert r.status_code == 403, url
        assert "北見" not in r.content.decode()
    r = post(c, f"/api/counter/visits/{other}/answers", {"version": _version(other), "flags": {}})
    assert r.status_code == 403
    rec = _last("visit.denied")
    assert rec.flagged and rec.query == f"visit:{other}" and rec.actor_username == "u_clerk"
    # a visit id that does not exist is a 404, not a 500
    assert c.get("/api/counter/visits/999999").status_code == 404


def test_a_protected_visit_is_refused_even_to_a_supervisor_without_the_permission(client, world):
    c = _as(client, world, "manager")
    vid = world.visit("manager", "protected")
    r = c.get(f"/api/counter/visits/{vid}")
    assert r.status_code == 403 and r.json()["detail"] == REFUSAL
    r = c.get(f"/counter/visits/{vid}/")
    assert r.status_code == 403 and REFUSAL in r.content.decode()
    assert "陽子" not in r.content.decode()
    assert _last("visit.protected.denied").flagged


def test_hand_over_by_hold_and_recall_makes_the_visit_yours(client, world):
    from madoguchi.counter import services

    vid = world.visit("clerk", "own")
    visit = Visit.objects.get(pk=vid)
    services.call_next(world.staff["clerk"], "onestop", "1")  # calls the first ticket
    visit.refresh_from_db()
    c = _as(client, world, "clerk_b")
    # not handed over: another clerk may neither recall, hold nor send on the number
    for url in ("recall?counter_no=1", "hold", "transfer"):
        r = post(c, f"/api/counter/tickets/{visit.ticket_id}/{url}", {"group": "certificate"})
        assert r.status_code == 403, url
        assert (
            _last("ticket.denied").flagged and _last("ticket.denied").actor_username == "u_clerk_b"
        )
    visit.refresh_from_db()
    assert visit.clerk == world.staff["clerk"] and visit.ticket.status == "called"
    services.hold(visit.ticket_id, world.staff["clerk"], to_counter="2")  # 保留 for counter 2
    assert c.get(f"/api/counter/visits/{vid}").status_code == 403
    with pytest.raises(services.TicketForbidden):  # the wrong counter
        services.recall(visit.ticket_id, world.clerk_b, "3")
    r = post(c, f"/api/counter/tickets/{visit.ticket_id}/recall?counter_no=2", {})
    assert r.status_code == 200  # called at counter 2, the one it was handed to
    assert c.get(f"/api/counter/visits/{vid}").status_code == 200
    assert _last("visit.handover").actor_username == "u_clerk_b"
    # and the first clerk no longer holds it
    c.force_login(world.staff["clerk"])
    assert c.get(f"/api/counter/visits/{vid}").status_code == 403


def test_supervisor_take_over_is_audited(client, world):
    vid = world.visit("clerk", "other")  # held by clerk_b
    c = _as(client, world, "clerk")
    assert post(c, f"/api/counter/visits/{vid}/takeover", {"to": "u_clerk"}).status_code == 403
    c.force_login(world.staff["manager"])
    r = post(c, f"/api/counter/visits/{vid}/takeover", {"to": "u_clerk"})
    assert r.status_code == 200
    rec = _last("visit.takeover")
    assert rec.actor_username == "u_manager" and "to:u_clerk" in rec.query
    c.force_login(world.staff["clerk"])
    assert c.get(f"/api/counter/visits/{vid}").status_code == 200
    # a protected visit goes only to permitted staff
    pvid = world.visit("clerk", "protected")
    c.force_login(world.staff["admin"])
    r = post(c, f"/api/counter/visits/{pvid}/takeover", {"to": "u_clerk"})
    assert r.status_code == 403 and r.json()["detail"] == REFUSAL
    assert _last("visit.takeover.denied").flagged


def test_department_task_of_a_protected_person_is_refused(client, world):
    c = _as(client, world, "department")
    tid = world.task("department", "protected")
    r = c.get(f"/api/tasks/{tid}")
    assert r.status_code == 403 and r.json()["detail"] == REFUSAL
    r = c.get(f"/tasks/{tid}/")
    assert r.status_code == 403 and "陽子" not in r.content.decode()
    assert _last("task.protected.denied").flagged
    # their own, ordinary task: the facts, audited unflagged
    r = c.get(f"/api/tasks/{world.task('department', 'own')}")
    assert r.status_code == 200 and r.json()["facts"]["persons"][0]["name"] == "北見　太郎"
    assert not _last("task.view").flagged


def test_same_day_hold_applies_at_once_everywhere_and_survives_the_import(client, world, tmp_path):
    vid = world.visit("clerk", "own")
    c = _as(client, world, "clerk")
    assert c.get(f"/api/counter/visits/{vid}").status_code == 200
    # a clerk without the permission cannot set a hold
    r = post(c, "/api/register/protection-holds", {"atena_no": NORMAL[0], "reason": "DV"})
    assert r.status_code == 403
    c.force_login(world.staff["clerk_perm"])
    r = post(c, "/api/register/protection-holds", {"atena_no": NORMAL[0], "reason": ""})
    assert r.status_code == 422  # the reason is required
    r = post(c, "/api/register/protection-holds", {"atena_no": NORMAL[0], "reason": "DV相談"})
    assert r.status_code == 201
    assert _last("register.protection_hold").flagged
    # at once: the clerk's open visit, the department's task, the register
    c.force_login(world.staff["clerk"])
    r = c.get(f"/api/counter/visits/{vid}")
    assert r.status_code == 403 and r.json()["detail"] == REFUSAL
    assert c.get(f"/api/register/persons/{NORMAL[0]}").status_code == 403
    c.force_login(world.staff["department"])
    assert c.get(f"/api/tasks/{world.task('department', 'own')}").status_code == 403
    # tonight's import does not carry the flag yet: the hold stays
    from madoguchi.register.models import Person
    from madoguchi.register.services import apply_holds

    Person.objects.filter(atena_no=NORMAL[0]).update(support_measure=False)  # as a write would
    assert apply_holds() == 1
    assert Person.objects.get(atena_no=NORMAL[0]).support_measure


def test_the_import_never_lifts_a_hold(db, tmp_path, staff_factory):
    """A real import over a held person writes support_measure=False; the hold stays."""
    from conftest import MADO_SAMPLE_CSV
    from madoguchi.register.importer import import_register
    from madoguchi.register.models import Person
    from madoguchi.register.services import set_protection_hold

    sample, mapping = MADO_SAMPLE_CSV, "mado-sample.yaml"
    res = import_register(sample, mapping)
    assert not res.errors, res.errors[:3]
    person = Person.objects.filter(support_measure=False).order_by("atena_no").first()
    boss = staff_factory("kacho", "manager", "citizen", may_see_protected=True)
    set_protection_hold(person.atena_no, boss, "本日付の支援措置")
    Person.objects.filter(pk=person.pk).update(import_digest="changed")  # force a rewrite
    res = import_register(sample, mapping)
    assert not res.errors
    assert Person.objects.get(atena_no=person.atena_no).support_measure


def test_department_reads_the_register_only_where_granted(client, world):
    from madoguchi.accounts.models import DepartmentAccess

    c = _as(client, world, "department")
    assert c.get("/register/").status_code == 403
    assert _last("register.denied").actor_username == "u_department"
    assert post(c, "/api/register/search", {"q": "300001"}).status_code == 401
    DepartmentAccess.objects.create(department="insurance", may_read_register=True)
    assert c.get("/register/").status_code == 200
    r = post(c, "/api/register/search", {"q": "300001"})
    assert r.status_code == 200 and r.json()["count"] >= 1
    assert _last("register.search").actor_username == "u_department"
    # still masked: the department has no 支援措置 permission
    assert post(c, "/api/register/persons/lookup", {"atena_no": PROTECTED}).status_code == 403


def test_identifier_free_routes(client, world):
    c = _as(client, world, "clerk")
    r = post(c, "/api/register/persons/lookup", {"atena_no": NORMAL[0]})
    assert r.status_code == 200 and r.json()["name"] == "北見　太郎"
    assert _last("register.person").person_ids[0] == NORMAL[0]
    r = post(c, "/api/register/households/lookup", {"household_no": "310001"})
    assert r.status_code == 200 and len(r.json()["members"]) == 2
    r = c.post("/register/person/", {"atena_no": NORMAL[0]})
    assert r.status_code == 200 and "北見　太郎" in r.content.decode()
    r = c.post("/register/person/", {"atena_no": PROTECTED})
    assert r.status_code == 403
    spec = c.get("/api/openapi.json").json()
    assert spec["paths"]["/api/register/persons/{atena_no}"]["get"].get("deprecated") is True


def test_managers_see_flagged_reads_on_one_page(client, world):
    c = _as(client, world, "clerk")
    c.get(f"/api/counter/visits/{world.visit('clerk', 'other')}")  # a refused attempt
    assert c.get("/audit/flagged/").status_code == 403
    c.force_login(world.staff["manager"])
    r = c.get("/audit/flagged/")
    assert r.status_code == 200
    assert "visit.denied" in r.content.decode() and "u_clerk" in r.content.decode()


def test_the_paper_form_keeps_insurance_and_pension(client, world):
    """The screen and the API share each step's input: the paper form's insurance and
    pension reach the visit (the screen used to drop them)."""
    c = _as(client, world, "clerk")
    vid = world.visit("clerk", "own")
    VisitPerson.objects.filter(visit_id=vid).delete()
    r = c.post(
        f"/counter/visits/{vid}/do/paper/",
        {
            "version": _version(vid),
            "name_1": "南　一",
            "kana_1": "ミナミ　ハジメ",
            "birth_1": "1980-01-01",
            "sex_1": "male",
            "rel_1": "head",
            "hi_1": "nhi",
            "pen_1": "1",
            "former_address": "東京都千代田区千代田1番1号",
        },
    )
    assert r.status_code == 302
    data = VisitPerson.objects.get(visit_id=vid, source="paper").data
    assert data["health_insurance"] == "nhi" and data["pension"] == "1"
    # the API's step name works on the screen too
    r = c.post(f"/counter/visits/{vid}/do/paper-persons/", {"version": "x"})
    assert r.status_code == 400


def test_hand_over_on_the_screens_goes_to_the_named_counter(client, world):
    from madoguchi.counter import services

    vid = world.visit("clerk", "own")
    services.call_next(world.staff["clerk"], "onestop", "1")
    ticket = Visit.objects.get(pk=vid).ticket
    c = _as(client, world, "clerk")
    r = c.post(f"/counter/tickets/{ticket.pk}/hold/", {"to_counter": "2"})
    assert r.status_code == 302 and _last("ticket.hold").query.endswith("to:2")
    c = _as(client, world, "clerk_b")  # at counter 3: not theirs
    session = c.session
    session["counter_no"] = "3"
    session.save()
    assert ticket.display_no not in c.get("/counter/").content.decode()
    r = c.post(f"/counter/tickets/{ticket.pk}/recall/", {})
    assert r.status_code == 403 and _last("ticket.denied").flagged
    session["counter_no"] = "2"  # at counter 2: listed, and recalled there it is theirs
    session.save()
    page = c.get("/counter/").content.decode()
    assert "この窓口に引き継がれた番号" in page and ticket.display_no in page
    assert c.post(f"/counter/tickets/{ticket.pk}/recall/", {}).status_code == 302
    assert c.get(f"/counter/visits/{vid}/").status_code == 200
