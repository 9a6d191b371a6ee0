"""Routing to departments: tasks, append-only history, department queues, hand-offs."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from madoguchi.analytics.models import TimeSegment
from madoguchi.counter.models import Visit, VisitPerson
from madoguchi.tasks import handoff, services
from madoguchi.tasks.models import HandOffAttempt, Status, Task, TaskStatus

PROCEDURES = [
    {
        "id": "registry.move_in",
        "name": "転入届",
        "department": "citizen",
        "persons": ["p1"],
        "deadline": "2027-04-15",
    },
    {
        "id": "nhi.enroll",
        "name": "国民健康保険 加入",
        "department": "insurance",
        "persons": ["p1"],
        "deadline": None,
    },
    {
        "id": "school.transfer_in",
        "name": "小・中学校 転入学",
        "department": "education",
        "persons": ["p2"],
    },
]


@pytest.fixture
def routed(db, clerk, django_capture_on_commit_callbacks):
    visit = Visit.objects.create(
        clerk=clerk, event_date="2027-04-01", result={"procedures": PROCEDURES}
    )
    VisitPerson.objects.create(
        visit=visit, pid="p1", atena_no="300001", data={"register": {"name": "甲"}}
    )
    VisitPerson.objects.create(
        visit=visit, pid="p2", atena_no="300002", data={"register": {"name": "乙"}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        tasks = services.route_visit(visit, PROCEDURES, clerk)
    return visit, tasks


def test_one_task_per_procedure_with_history_and_segment(routed):
    visit, tasks = routed
    assert [t.department for t in tasks] == ["citizen", "insurance", "education"]
    assert all(t.history.get().status == Status.RECEIVED for t in tasks)
    assert {t.handling for t in tasks} == {"back_office"}
    assert str(Task.objects.get(procedure_id="registry.move_in").deadline) == "2027-04-15"
    assert TimeSegment.objects.filter(kind="department", ended_at=None).count() == 3
    assert all(t.handoff_state == "sent" for t in Task.objects.all())
    # routing again creates nothing new
    assert services.route_visit(visit, PROCEDURES, None) == []


def test_a_procedure_handled_at_the_counter_is_not_left_at_received(
    db, clerk, staff_factory, django_capture_on_commit_callbacks
):
    """同席: done at the counter (by the department's staff, at the time it happened) or
    in progress there; the older set form is in progress with the routing clerk."""
    hoken = staff_factory("hoken", "department", "insurance")
    visit = Visit.objects.create(clerk=clerk, event_date="2027-04-01")
    when = timezone.now().replace(microsecond=0) - timedelta(minutes=20)  # before signing
    at = timezone.localtime(when).isoformat()
    marks = {
        "nhi.enroll": {"status": "done", "staff_id": hoken.pk, "at": at},
        "registry.move_in": {"status": "in_progress", "staff_id": hoken.pk, "at": at},
    }
    with django_capture_on_commit_callbacks(execute=True):
        services.route_visit(visit, PROCEDURES, clerk, at_counter=marks)
    done = Task.objects.get(procedure_id="nhi.enroll")
    assert (done.status, done.handling) == ("done", "at_counter")
    row = done.history.get()
    assert (row.status, row.at_counter, row.actor, row.at) == ("done", True, hoken, when)
    seg = TimeSegment.objects.get(task=done)
    assert seg.started_at == seg.ended_at == row.at  # no back-office turnaround
    moving = Task.objects.get(procedure_id="registry.move_in")
    assert moving.status == "in_progress" and moving.history.get().at_counter
    assert TimeSegment.objects.get(task=moving).ended_at is None
    school = Task.objects.get(procedure_id="school.transfer_in")
    assert (school.status, school.handling) == ("received", "back_office")
    # the older form: a set of ids, in progress at the counter with the routing clerk
    other = Visit.objects.create(clerk=clerk, event_date="2027-04-01")
    with django_capture_on_commit_callbacks(execute=True):
        services.route_visit(other, PROCEDURES[:1], clerk, at_counter={"registry.move_in"})
    legacy = Task.objects.get(visit=other)
    assert legacy.status == "in_progress" and legacy.history.get().actor == clerk
    # a back-office task done is not reopened; one done at the counter needs a reason
    with pytest.raises(services.TaskError):
        services.set_status(done.pk, "in_progress", hoken)
    services.set_status(done.pk, "in_progress", hoken, "確認のため")
    gakko = staff_factory("gakko", "department", "education")
    services.set_status(school.pk, "done", gakko)
    with pytest.raises(services.TaskError):
        services.set_status(school.pk, "in_progress", gakko, "x")


def test_status_history_is_append_only_and_current_is_latest(routed, staff_factory):
    _visit, tasks = routed
    hoken = staff_factory("hoken", "department", "insurance")
    task = Task.objects.get(procedure_id="nhi.enroll")
    services.set_status(task.pk, "in_progress", hoken)
    with pytest.raises(services.TaskError) as exc:
        services.set_status(task.pk, "returned", hoken, "")
    assert exc.value.field == "reason"
    services.set_status(task.pk, "returned", hoken, "保険証の写しが不足")
    services.set_status(task.pk, "in_progress", hoken)
    services.set_status(task.pk, "done", hoken)
    rows = list(TaskStatus.objects.filter(task=task).values_list("status", flat=True))
    assert rows == ["received", "in_progress", "returned", "in_progress", "done"]
    task.refresh_from_db()
    assert task.status == "done"
    with pytest.raises(services.TaskError):
        services.set_status(task.pk, "in_progress", hoken)
    row = TaskStatus.objects.filter(task=task).first()
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    seg = TimeSegment.objects.get(task=task)
    assert seg.ended_at is not None and seg.staff == hoken


def test_department_sees_only_its_queue(routed, staff_factory, client):
    gakko = staff_factory("gakko", "department", "education")
    assert [t.procedure_id for t in services.department_queue(gakko)] == ["school.transfer_in"]
    with pytest.raises(PermissionError):
        services.department_queue(gakko, "insurance")
    other = Task.objects.get(procedure_id="nhi.enroll")
    with pytest.raises(PermissionError):
        services.set_status(other.pk, "done", gakko)
    client.force_login(gakko)
    page = client.get("/tasks/").content.decode()
    assert "小・中学校 転入学" in page and "国民健康保険" not in page
    assert client.get(f"/tasks/{other.pk}/").status_code == 403
    r = client.get("/api/tasks/")
    assert [t["procedure_id"] for t in r.json()] == ["school.transfer_in"]
    assert client.get("/api/tasks/?department=insurance").status_code == 403


def test_task_detail_shows_facts_and_is_audited(routed, staff_factory, client):
    from madoguchi.audit.models import AuditRecord

    gakko = staff_factory("gakko", "department", "education")
    client.force_login(gakko)
    task = Task.objects.get(procedure_id="school.transfer_in")
    r = client.get(f"/api/tasks/{task.pk}")
    body = r.json()
    assert [p["pid"] for p in body["facts"]["persons"]] == ["p2"]
    assert body["history"][0]["status"] == "received"
    rec = AuditRecord.objects.filter(action="task.view").last()
    assert rec.person_ids == ["300002"] and rec.actor_username == "gakko"
    r = client.post(
        f"/api/tasks/{task.pk}/status", {"status": "done"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["status"] == "done"


@override_settings(MADOGUCHI_HANDOFF_ROUTES={"insurance": "simulated"})
def test_failed_handoff_is_visible_and_retried(db, clerk, django_capture_on_commit_callbacks):
    visit = Visit.objects.create(clerk=clerk, event_date="2027-04-01")
    handoff.simulated.set_unavailable("insurance")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.route_visit(visit, PROCEDURES, clerk)
        task = Task.objects.get(procedure_id="nhi.enroll")
        assert task.handoff_state == "failed"
        assert HandOffAttempt.objects.get(task=task).ok is False
        assert Task.objects.get(procedure_id="registry.move_in").handoff_state == "sent"
        # still down: the retry fails again and is recorded, the task is not lost
        assert services.retry_handoffs(force=True) == {"retried": 1, "sent": 0}
        assert HandOffAttempt.objects.filter(task=task).count() == 2
    finally:
        handoff.simulated.set_unavailable("insurance", False)
    assert services.retry_handoffs(force=True) == {"retried": 1, "sent": 1}
    task.refresh_from_db()
    assert task.handoff_state == "sent"
    assert list(HandOffAttempt.objects.filter(task=task).values_list("ok", flat=True)) == [
        False,
        False,
        True,
    ]


def test_registry_is_typed():
    class NotAPlugin:
        pass

    with pytest.raises(TypeError):
        handoff.register(NotAPlugin())
    with pytest.raises(ValueError):
        handoff.register(handoff.LocalQueue())
    assert {"local", "simulated"} <= set(handoff.plugin_names())
    with pytest.raises(KeyError):
        handoff.get("nope")


@override_settings(MADOGUCHI_HANDOFF_ROUTES={"*": "simulated"})
def test_retry_command_reports_and_fails_while_down(db, clerk, django_capture_on_commit_callbacks):
    import io

    from django.core.management import call_command

    visit = Visit.objects.create(clerk=clerk, event_date="2027-04-01")
    handoff.simulated.set_unavailable("education")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            services.route_visit(visit, PROCEDURES, clerk)
        out = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("tasks", "retry", "--all", stdout=out)
        assert '"retried": 1' in out.getvalue() and '"sent": 0' in out.getvalue()
    finally:
        handoff.simulated.set_unavailable("education", False)
    out = io.StringIO()
    call_command("tasks", "retry", "--all", stdout=out)
    assert '"sent": 1' in out.getvalue()
    assert not Task.objects.exclude(handoff_state="sent").exists()


def test_task_page_shows_labels_not_ids(db, clerk, staff_factory, client):
    from madoguchi.counter.models import VisitEvent

    procs = [{**PROCEDURES[2], "because": ["p2: 学齢（小学校）・2017-06-10 生まれ"]}]
    visit = Visit.objects.create(clerk=clerk, event_date="2027-04-01", result={"procedures": procs})
    VisitEvent.objects.create(visit=visit, event="move_in")
    VisitPerson.objects.create(
        visit=visit,
        pid="p2",
        atena_no="300002",
        data={
            "register": {"name": "乙"},
            "birth_date": "2017-06-10",
            "relationship": "child",
            "health_insurance": "employee",
            "flags": ["private_school"],
        },
    )
    task = services.route_visit(visit, procs, clerk)[0]
    client.force_login(staff_factory("gakko", "department", "education"))
    page = client.get(f"/tasks/{task.pk}/").content.decode()
    assert "平成29年6月10日（2017年）" in page and "2017-06-10" not in page
    assert "転入（国内の他市区町村から）" in page and "被用者保険" in page
    assert "私立・国立の学校" in page and "乙: 学齢（小学校）" in page
    assert "+00:00" not in page  # the history in local time, not ISO text
    for raw in (">child<", ">employee<", "private_school<", "move_in<"):
        assert raw not in page, raw
    queue = client.get("/tasks/").content.decode()
    assert "転入（国内の他市区町村から）" in queue and "move_in<" not in queue
