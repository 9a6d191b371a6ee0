"""Procedures handled together at the counter (同席で対応): marked done or in progress at
the counter, routed already 完了 / 処理中 (not left at 受付), shown so in the department
queue, the history, the audit trail, the guide sheet and the dashboard's figures; the
department may reopen; what the counter may complete is the catalog's per-version flag."""

from datetime import date

import pytest
from django.utils import timezone

from madoguchi.audit.models import AuditRecord
from madoguchi.counter.models import Visit
from madoguchi.counter.services import atcounter
from madoguchi.tasks.models import Task

from .test_entry import pdf_text
from .test_visit import Flow


@pytest.fixture
def hoken(staff_factory):
    """A clerk of the 保険医療課 who comes to the counter (同席)."""
    return staff_factory("hoken", "department", "insurance", last_name="保険", first_name="太郎")


def _move_in_with_nhi(clerk_client) -> Flow:
    """The pending move-in family; the head tells he is in 国保 (nhi.enroll appears)."""
    f = Flow(clerk_client)
    f.step("identify", atena_no="P0000000011")
    f.step("facts", pid="p1", field="health_insurance", value="nhi", reason="聞き取り")
    assert "nhi.enroll" in f.procedures()
    return f


def _print(clerk_client, f: Flow) -> bytes:
    f.step("confirm")
    r = clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf")
    assert r.status_code == 200
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    return r.content


def test_nhi_done_at_the_counter_with_the_department_present(
    clerk_client, pending_family, hoken, staff_factory, django_capture_on_commit_callbacks
):
    f = _move_in_with_nhi(clerk_client)
    f.step("at-counter", procedure="nhi.enroll", status="done", staff="hoken")
    mark = f.v["at_counter"]["nhi.enroll"]
    assert (mark["status"], mark["staff_name"], mark["department"]) == (
        "done",
        "保険 太郎",
        "insurance",
    )
    assert AuditRecord.objects.filter(action="visit.at_counter").exists()
    text = pdf_text(_print(clerk_client, f))
    guide = text[text.index("手続き案内票") :]
    row = guide[guide.index("国民健康保険加入") : guide.index("国民健康保険加入") + 60]
    assert "窓口で手続済み" in row and "保険医療課" not in row  # not 「保険医療課へ」
    assert "窓口で手続済み・対応中" in guide  # the legend
    with django_capture_on_commit_callbacks(execute=True):
        f.step("sign", id_document="my_number_card")
    task = Task.objects.get(visit_id=f.id, procedure_id="nhi.enroll")
    assert (task.status, task.handling) == ("done", "at_counter")
    rows = list(task.history.all())
    assert [(r.status, r.at_counter, r.actor.username) for r in rows] == [
        ("done", True, "hoken")
    ]  # created already 完了 at the counter: no 受付 row
    assert rows[0].at <= task.created_at
    assert AuditRecord.objects.filter(action="task.done.at_counter").count() == 1
    other = Task.objects.get(visit_id=f.id, procedure_id="school.transfer_in")
    assert (other.status, other.handling) == ("received", "back_office")
    # the department's queue: not new 受付 work; with 完了も表示 it shows where and who
    clerk_client.force_login(hoken)
    queue = clerk_client.get("/api/tasks/").json()
    assert "nhi.enroll" not in [t["procedure_id"] for t in queue]
    done = clerk_client.get("/api/tasks/?include_done=true").json()
    row = next(t for t in done if t["procedure_id"] == "nhi.enroll")
    assert row["status"] == "done" and row["at_counter"]["staff"] == "保険 太郎"
    page = clerk_client.get("/tasks/table/?done=1").content.decode()
    assert "窓口で完了: 保険 太郎" in page
    detail = clerk_client.get(f"/api/tasks/{task.pk}").json()
    assert detail["history"][0]["at_counter"] is True
    # the dashboard's figures: one procedure handled at the counter
    from madoguchi.counter.figures import day_tables

    today = timezone.localdate()
    total = day_tables(today, today)[today][("onestop", "total", "")]
    assert total.at_counter == 1 and total.n == 1
    clerk_client.force_login(staff_factory("kacho", "manager", "citizen"))
    page = clerk_client.get("/analytics/").content.decode()
    kpi = page[page.index('id="at-counter"') :][:300]
    assert "<b>1</b>" in kpi


def test_in_progress_at_the_counter_needs_the_department_staff_present(
    clerk_client, pending_family, hoken, staff_factory, django_capture_on_commit_callbacks
):
    staff_factory("gakko", "department", "education")
    f = _move_in_with_nhi(clerk_client)
    err = f.step("at-counter", procedure="nhi.enroll", status="in_progress", expect=400)
    assert err["errors"][0]["field"] == "staff" and "保険医療課" in err["errors"][0]["message"]
    err = f.step(
        "at-counter", procedure="nhi.enroll", status="in_progress", staff="gakko", expect=400
    )
    assert err["errors"][0]["field"] == "staff"
    err = f.step("at-counter", procedure="nhi.nothing", status="done", expect=400)
    assert err["errors"][0]["field"] == "procedure"
    err = f.step("at-counter", procedure="nhi.enroll", status="finished", expect=400)
    assert err["errors"][0]["field"] == "status"
    f.step("at-counter", procedure="nhi.enroll", status="in_progress", staff="hoken")
    _print(clerk_client, f)
    with django_capture_on_commit_callbacks(execute=True):
        f.step("sign", id_document="my_number_card")
    task = Task.objects.get(visit_id=f.id, procedure_id="nhi.enroll")
    assert (task.status, task.handling) == ("in_progress", "at_counter")
    # in the queue as 処理中 at the counter, and the department closes it as usual
    clerk_client.force_login(hoken)
    row = next(
        t for t in clerk_client.get("/api/tasks/").json() if t["procedure_id"] == "nhi.enroll"
    )
    assert row["status"] == "in_progress" and row["at_counter"]["status"] == "in_progress"
    r = clerk_client.post(f"/api/tasks/{task.pk}/status", {"status": "done"}, "application/json")
    assert r.status_code == 200 and r.json()["status"] == "done"


def test_only_what_the_catalog_allows_is_completed_at_the_counter(
    clerk_client, pending_family, hoken
):
    f = _move_in_with_nhi(clerk_client)
    err = f.step("at-counter", procedure="registry.move_in", status="done", expect=400)
    assert err["errors"][0]["field"] == "status" and "カタログ" in err["errors"][0]["message"]
    # in progress with the department present is always possible
    shimin = "shimin"
    from madoguchi.accounts.models import Staff

    Staff.objects.create_user(
        shimin, password="pw-Test-12345", role="department", department="citizen"
    )
    f.step("at-counter", procedure="registry.move_in", status="in_progress", staff=shimin)
    # and a mark is taken back
    f.step("at-counter", procedure="registry.move_in", status="")
    assert "registry.move_in" not in f.v["at_counter"]


def test_the_flag_is_the_procedure_version_in_force_on_the_visits_date(clerk):
    """seal.register may be completed at the counter from its 2020-03-27 version on."""
    proc = {"id": "seal.register", "name": "印鑑登録申請", "department": "citizen"}
    before = Visit(clerk=clerk, event_date=date(2019, 6, 1), result={"procedures": [proc]})
    after = Visit(clerk=clerk, event_date=date(2027, 4, 1), result={"procedures": [proc]})
    assert not atcounter.may_complete(before, "seal.register")
    assert atcounter.may_complete(after, "seal.register")
    assert atcounter.completable(after) == {"seal.register"}


def test_the_clerk_completes_on_the_spot_and_the_department_reopens(
    clerk_client, pending_family, hoken, django_capture_on_commit_callbacks
):
    f = _move_in_with_nhi(clerk_client)
    f.step("at-counter", procedure="nhi.enroll", status="done")  # the clerk, on the spot
    assert f.v["at_counter"]["nhi.enroll"]["by"] == "clerk1"
    _print(clerk_client, f)
    with django_capture_on_commit_callbacks(execute=True):
        f.step("sign", id_document="my_number_card")
    task = Task.objects.get(visit_id=f.id, procedure_id="nhi.enroll")
    assert task.history.get().actor.username == "clerk1"
    url = f"/api/tasks/{task.pk}/status"
    reopen = {"status": "in_progress", "reason": "やり直し"}
    r = clerk_client.post(url, reopen, "application/json")  # the counter clerk: not theirs
    assert r.status_code == 403
    clerk_client.force_login(hoken)
    r = clerk_client.post(url, {"status": "in_progress"}, "application/json")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "reason"
    r = clerk_client.post(
        url, {"status": "in_progress", "reason": "保険証の記号を確認"}, "application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert AuditRecord.objects.filter(action="task.reopened").exists()
    assert task.segments.get().ended_at is None  # the turnaround runs on
    page = clerk_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "窓口で同席" in page and "再開（処理中）" in page and "保険証の記号を確認" in page


def test_another_clerk_cannot_mark_the_visit(clerk_client, pending_family, staff_factory, client):
    f = _move_in_with_nhi(clerk_client)
    client.force_login(staff_factory("tanin", "clerk", "citizen"))
    other = Flow(client, visit_id=None)  # their own visit
    r = client.post(
        f"/api/counter/visits/{f.id}/at-counter",
        {"version": f.v["version"], "procedure": "nhi.enroll", "status": "done"},
        "application/json",
    )
    assert r.status_code == 403
    assert other.id != f.id
    assert "nhi.enroll" not in Visit.objects.get(pk=f.id).state.get("at_counter", {})
