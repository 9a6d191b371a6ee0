"""Query-count baselines of the department task pages: the queue and a task page cost the
same number of queries whatever the number of tasks, visits and persons (no N+1)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from madoguchi.counter.models import Visit, VisitPerson
from madoguchi.tasks import services
from madoguchi.tasks.models import Task


def _route(clerk, n_persons: int, capture):
    visit = Visit.objects.create(clerk=clerk, event_date="2027-04-01")
    pids = [f"p{i + 1}" for i in range(n_persons)]
    for i, pid in enumerate(pids):
        VisitPerson.objects.create(
            visit=visit,
            pid=pid,
            atena_no=f"4{visit.pk:04d}{i:02d}",
            data={"register": {"name": f"人{i}"}},
        )
    procedures = [
        {
            "id": "school.transfer_in",
            "name": "小・中学校 転入学",
            "department": "education",
            "persons": pids,
            "because": [f"{pid}: 学齢" for pid in pids],
        }
    ]
    visit.result = {"procedures": procedures, "events": ["move_in"]}
    visit.save(update_fields=["result"])
    with capture(execute=True):
        return services.route_visit(visit, procedures, clerk)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_queue_page_queries_do_not_grow_with_tasks(
    db, clerk, staff_factory, client, django_capture_on_commit_callbacks
):
    client.force_login(staff_factory("gakko", "department", "education"))
    _route(clerk, 1, django_capture_on_commit_callbacks)
    client.get("/tasks/")  # the first audit record creates the chain's head
    few = _queries(client, "/tasks/")
    few_table = _queries(client, "/tasks/table/")
    for n in (2, 3, 4, 5):
        _route(clerk, n, django_capture_on_commit_callbacks)
    assert Task.objects.filter(department="education").count() == 5
    assert _queries(client, "/tasks/") == few
    assert _queries(client, "/tasks/table/") == few_table


def test_task_page_queries_do_not_grow_with_persons(
    db, clerk, staff_factory, client, django_capture_on_commit_callbacks
):
    client.force_login(staff_factory("gakko", "department", "education"))
    small = _route(clerk, 1, django_capture_on_commit_callbacks)[0]
    big = _route(clerk, 6, django_capture_on_commit_callbacks)[0]
    client.get(f"/tasks/{small.pk}/")  # the first audit record creates the chain's head
    assert _queries(client, f"/tasks/{big.pk}/") == _queries(client, f"/tasks/{small.pk}/")
