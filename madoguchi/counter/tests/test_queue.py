"""Reception and queue: numbering, call next, recall/hold/transfer, display, segments."""

import threading

import pytest
from django.db import connection

from madoguchi.analytics.models import TimeSegment
from madoguchi.counter import services
from madoguchi.counter.models import Ticket, TicketStatus, Visit


def test_numbers_rise_per_group_and_prefix(db):
    a1 = services.issue_ticket("move_in")
    a2 = services.issue_ticket("death")
    c1 = services.issue_ticket("certificate")
    assert (a1.number, a2.number, c1.number) == (1, 2, 1)
    assert a1.display_no == "A001" and c1.display_no == "C001"
    assert a1.group == "onestop" and c1.group == "certificate"


def test_bad_purpose_names_the_field(db):
    with pytest.raises(services.CounterError) as exc:
        services.issue_ticket("holiday")
    assert exc.value.field == "purpose"
    assert not Ticket.objects.exists()


def test_call_next_takes_the_oldest_and_opens_a_visit(clerk):
    t1 = services.issue_ticket("move_in")
    t2 = services.issue_ticket("marriage")
    got = services.call_next(clerk, "onestop", "3")
    assert got.pk == t1.pk
    got.refresh_from_db()
    assert got.status == TicketStatus.CALLED and got.counter_no == "3"
    visit = Visit.objects.get(ticket=t1)
    assert [e.event for e in visit.events.all()] == ["move_in"]
    assert services.call_next(clerk, "onestop", "4").pk == t2.pk
    assert services.call_next(clerk, "onestop", "4") is None


def test_segments_waiting_then_called(clerk):
    t = services.issue_ticket("move_in")
    services.call_next(clerk, "onestop", "1")
    segs = list(TimeSegment.objects.filter(ticket=t).order_by("id"))
    assert [s.kind for s in segs] == ["waiting", "called"]
    assert segs[0].ended_at is not None and segs[0].seconds >= 0
    assert segs[1].ended_at is None


def test_recall_hold_transfer(clerk):
    t = services.issue_ticket("move_in")
    services.call_next(clerk, "onestop", "2")
    services.recall(t.pk, clerk)
    t.refresh_from_db()
    assert t.recall_count == 1 and t.status == TicketStatus.CALLED
    services.hold(t.pk, clerk)
    t.refresh_from_db()
    assert t.status == TicketStatus.HELD
    services.recall(t.pk, clerk)
    t.refresh_from_db()
    assert t.status == TicketStatus.CALLED and t.recall_count == 2
    services.transfer(t.pk, "certificate", clerk)
    t.refresh_from_db()
    assert t.group == "certificate" and t.status == TicketStatus.WAITING
    assert t.transferred_from == "onestop"
    assert services.call_next(clerk, "certificate", "5").pk == t.pk
    with pytest.raises(services.CounterError):
        services.transfer(t.pk, "nowhere", clerk)


def test_display_board_shows_numbers_only(household, clerk):
    services.issue_ticket("move_in")
    services.issue_ticket("move_in")
    services.call_next(clerk, "onestop", "3")
    board = services.display_board()
    onestop = board["groups"][0]
    assert onestop["called"][0] == {"number": "A001", "counter_no": "3", "recalled": False}
    assert onestop["waiting"] == 1
    assert onestop["estimate_min"] > 0


def test_display_page_is_open_and_has_no_personal_data(client, household, clerk):
    t = services.issue_ticket("move_in")
    services.call_next(clerk, "onestop", "7")
    services.identify(t.visit.pk, t.visit.version, clerk, "200001")
    resp = client.get("/counter/display/")
    assert resp.status_code == 200
    body = resp.content.decode()
    assert "A001" in body and "7" in body
    for p in household:
        assert p.name not in body and p.atena_no not in body


def test_api_ticket_and_call_next(clerk_client):
    r = clerk_client.post(
        "/api/counter/tickets", {"purpose": "birth"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["number"] == "A001"
    r = clerk_client.post(
        "/api/counter/call-next",
        {"group": "onestop", "counter_no": "2"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["visit_id"]
    r = clerk_client.post(
        "/api/counter/call-next",
        {"group": "onestop", "counter_no": "2"},
        content_type="application/json",
    )
    assert r.status_code == 204
    r = clerk_client.post("/api/counter/tickets", {"purpose": "x"}, content_type="application/json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "purpose"


def test_api_needs_login(client):
    assert client.get("/api/counter/queue").status_code == 401


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_clerks_never_win_the_same_ticket(staff_factory):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (SKIP LOCKED) need PostgreSQL")
    clerks = [staff_factory(f"c{i}", "clerk", "citizen") for i in range(8)]
    for _ in range(20):
        services.issue_ticket("move_in")
    won: list[int] = []
    errors: list[Exception] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(clerks))

    def work(clerk, n):
        from django.db import connection as conn

        try:
            barrier.wait()
            while True:
                t = services.call_next(clerk, "onestop", str(n))
                if t is None:
                    break
                with lock:
                    won.append(t.pk)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            conn.close()

    threads = [threading.Thread(target=work, args=(c, i)) for i, c in enumerate(clerks)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert not errors
    assert len(won) == 20 and len(set(won)) == 20
    assert Visit.objects.count() == 20
    assert not Ticket.objects.filter(status=TicketStatus.WAITING).exists()


def test_queue_page_actions(clerk_client, clerk):
    clerk_client.get("/counter/?group=onestop&counter_no=4")
    r = clerk_client.post("/counter/tickets/issue/", {"purpose": "move_in"})
    assert r.status_code == 302
    page = clerk_client.get("/counter/").content.decode()
    assert "A001" in page and "転入" in page
    r = clerk_client.post("/counter/call-next/")
    t = Ticket.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/counter/visits/{t.visit.pk}/"
    t.refresh_from_db()
    assert t.status == "called" and t.counter_no == "4"
    clerk_client.post(f"/counter/tickets/{t.pk}/hold/")
    assert Ticket.objects.get().status == "held"
    clerk_client.post(f"/counter/tickets/{t.pk}/recall/")
    assert Ticket.objects.get().status == "called"
    clerk_client.post(f"/counter/tickets/{t.pk}/transfer/", {"group": "certificate"})
    assert Ticket.objects.get().group == "certificate"
    r = clerk_client.post("/counter/call-next/", follow=True)
    assert "お待ちの方はいません" in r.content.decode()


def test_department_staff_cannot_use_the_counter(client, staff_factory, household):
    client.force_login(staff_factory("hoken", "department", "insurance"))
    assert client.get("/counter/").status_code == 403
    assert (
        client.post(
            "/api/counter/tickets", {"purpose": "birth"}, content_type="application/json"
        ).status_code
        == 401
    )
    assert client.get("/counter/display/").status_code == 200  # the display is public
