"""The department's view of a signed visit: names in the queue (支援措置 masked), the
signed forms opened again, overdue tasks flagged."""

from datetime import timedelta

from django.utils import timezone

from madoguchi.audit.models import AuditRecord
from madoguchi.register.models import Person
from madoguchi.tasks.models import Task

from .test_undo import _signed_move
from .test_visit import pdf_text


def test_queue_names_forms_and_overdue(clerk_client, household, staff_factory):
    f = _signed_move(clerk_client)
    task = Task.objects.get(visit_id=f.id, procedure_id="registry.move_within")
    Task.objects.filter(pk=task.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    clerk_client.force_login(staff_factory("shimin", "department", "citizen"))
    html = clerk_client.get("/tasks/").content.decode()
    assert "北見　太郎" in html and "北見　桜" in html  # names, never p1
    assert "p1" not in html.split("task-queue", 1)[1]
    assert "期限超過" in html and "overdue" in html
    assert AuditRecord.objects.filter(action="tasks.queue").exists()
    page = clerk_client.get(f"/tasks/{task.pk}/").content.decode()
    assert "期限超過" in page and f"/tasks/{task.pk}/forms.pdf" in page
    r = clerk_client.get(f"/tasks/{task.pk}/forms.pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    text = pdf_text(r.content)
    assert "住民異動届" in text and "北見太郎" in text and "持ち物" not in text  # no guide sheet
    assert AuditRecord.objects.filter(action="task.forms").exists()
    # a task of another department: refused, and its forms too
    other = Task.objects.filter(visit_id=f.id).exclude(department="citizen").first()
    if other is not None:
        assert clerk_client.get(f"/tasks/{other.pk}/forms.pdf").status_code == 403
    # 支援措置: the name is masked in the queue and the forms are refused
    Person.objects.filter(atena_no="200004").update(support_measure=True)
    html = clerk_client.get("/tasks/").content.decode()
    assert "北見　桜" not in html and "支援措置" in html
    assert clerk_client.get(f"/tasks/{task.pk}/forms.pdf").status_code == 403
