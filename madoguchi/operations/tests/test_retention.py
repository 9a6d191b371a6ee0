"""Retention: `madoguchi purge` rolls up first, then deletes or anonymises what is past
its period, keeps certificates and fee records for their legal period, archives the
audit rows so that `audit verify` still passes, and is itself audited."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from madoguchi.analytics import dashboard
from madoguchi.analytics.models import TimeSegment
from madoguchi.audit import services as audit
from madoguchi.audit.models import AuditHead, AuditRecord
from madoguchi.certificates.models import Certificate, CertificateAction, CertificateRequest
from madoguchi.counter.models import Ticket, Visit, VisitPerson
from madoguchi.demo import history
from madoguchi.documents.models import BundleRecord
from madoguchi.operations import retention
from madoguchi.tasks.models import Status, Task, TaskStatus

DAYS = {
    "visits": 400,
    "tasks": 400,
    "segments": 400,
    "bundles": 400,
    "audit": 400,
    "certificates": retention.LEGAL_MINIMUM_DAYS["certificates"],
    "fees": retention.LEGAL_MINIMUM_DAYS["fees"],
}


@pytest.fixture
def periods(settings, tmp_path):
    settings.MADOGUCHI_RETENTION_DAYS = dict(DAYS)
    settings.MADOGUCHI_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    return settings


def _ago(days):
    return timezone.now() - timedelta(days=days)


def _visit(clerk, days_ago, *, step="done", name="古川　花子"):
    v = Visit.objects.create(clerk=clerk, event_date=timezone.localdate(), step=step,
                             household_no="H1", state={"address": "北見市"})  # fmt: skip
    Visit.objects.filter(pk=v.pk).update(created_at=_ago(days_ago))
    VisitPerson.objects.create(visit=v, pid="p1", atena_no="100001",
                               data={"register": {"name": name}})  # fmt: skip
    return v


def _task(visit, status, days_ago):
    t = Task.objects.create(visit=visit, procedure_id=f"p{visit.pk}-{status}", name="x",
                            department="citizen", status=status)  # fmt: skip
    Task.objects.filter(pk=t.pk).update(created_at=_ago(days_ago))
    TaskStatus.objects.create(task=t, status=status)
    return t


def _certificate(clerk, days_ago, visit=None):
    req = CertificateRequest.objects.create(clerk=clerk, subject_atena_no="100001",
                                            requester_type="self", requester_name="古川　花子",
                                            fee_total=300, visit=visit)  # fmt: skip
    CertificateRequest.objects.filter(pk=req.pk).update(created_at=_ago(days_ago))
    at = _ago(days_ago)
    cert = Certificate.objects.create(
        issue_no=f"R{req.pk}", code=f"C{req.pk}", request=req, kind="juminhyo",
        kind_name="住民票の写し", subject_atena_no="100001", copies=1, fee_per_copy=300,
        fee=300, payment_method="cash", issued_by=clerk, issued_at=at,
        issued_on=timezone.localtime(at).date(),
    )  # fmt: skip
    CertificateAction.objects.create(certificate=cert, action="reprint", reason="汚損",
                                     by=clerk, at=at, on=cert.issued_on)  # fmt: skip
    return req, cert


def test_visits_tasks_and_their_data_go_after_their_period(db, periods, clerk):
    old_done = _visit(clerk, 500)
    _task(old_done, Status.DONE, 500)
    _task(old_done, Status.WITHDRAWN, 500)  # withdrawn by the counter: closed too
    old_open = _visit(clerk, 500)
    open_task = _task(old_open, Status.IN_PROGRESS, 500)
    recent = _visit(clerk, 10)
    report = retention.purge()
    assert not Visit.objects.filter(pk=old_done.pk).exists()
    assert report.deleted["visits"] == 1 and report.deleted["tasks"] == 2
    # an open task keeps its visit whole, whatever its age
    assert Task.objects.filter(pk=open_task.pk).exists()
    assert VisitPerson.objects.filter(visit=old_open).count() == 1
    assert report.kept["visits_open_task"] == 1
    assert VisitPerson.objects.filter(visit=recent).count() == 1


def test_a_visit_still_needed_by_a_kept_record_is_anonymised(db, periods, clerk):
    needed = _visit(clerk, 500, name="保護　秘子")
    req, cert = _certificate(clerk, 500, visit=needed)
    report = retention.purge()
    v = Visit.objects.get(pk=needed.pk)
    assert report.anonymised["visits"] == 1
    assert v.state == {"anonymised": True} and v.household_no == "" and v.result == {}
    assert not VisitPerson.objects.filter(visit=v).exists()
    # the certificate is inside its legal period: untouched
    assert Certificate.objects.filter(pk=cert.pk).exists()
    assert CertificateRequest.objects.get(pk=req.pk).requester_name == "古川　花子"
    # a second purge has nothing more to do to it
    assert retention.purge().anonymised["visits"] == 0


def test_certificates_and_fee_records_keep_their_legal_period(db, periods, clerk):
    inside = retention.LEGAL_MINIMUM_DAYS["certificates"] - 5
    past = retention.LEGAL_MINIMUM_DAYS["certificates"] + 5
    kept_req, kept = _certificate(clerk, inside)
    old_req, old = _certificate(clerk, past)
    report = retention.purge()
    assert Certificate.objects.filter(pk=kept.pk).exists()
    assert CertificateRequest.objects.filter(pk=kept_req.pk).exists()
    assert not Certificate.objects.filter(pk=old.pk).exists()
    assert not CertificateRequest.objects.filter(pk=old_req.pk).exists()
    assert report.deleted["certificates"] == 1
    assert report.deleted["certificate_actions"] == 1
    assert report.deleted["certificate_requests"] == 1


@pytest.mark.parametrize("kind", ["certificates", "fees"])
def test_a_period_shorter_than_the_legal_one_is_refused(db, periods, kind, clerk):
    periods.MADOGUCHI_RETENTION_DAYS = {**DAYS, kind: 365}
    _certificate(clerk, 400)
    with pytest.raises(retention.RetentionError, match=f"RETAIN_{kind.upper()}_DAYS=365"):
        retention.purge()
    assert Certificate.objects.count() == 1
    with pytest.raises(Exception, match="legal"):
        call_command("purge")


def test_history_is_rolled_up_before_it_goes_and_the_dashboard_is_unchanged(db, periods, clerk):
    end = timezone.localdate() - timedelta(days=420)
    start = end - timedelta(days=14)
    history.generate(days=14, end=end, rollup_days=0)
    assert Visit.objects.count() > 20
    # nothing of that period rolled up yet beyond the last day
    before = dashboard.build(start, end - timedelta(days=1)).figures
    dry = retention.purge(dry_run=True)
    assert dry.deleted["visits"] == Visit.objects.filter(created_at__lt=_ago(400)).count() > 0
    assert Visit.objects.count() and TimeSegment.objects.count()  # dry run: nothing changed
    report = retention.purge()
    assert report.deleted["visits"] == dry.deleted["visits"]
    assert not Visit.objects.exists() and not Ticket.objects.exists()
    assert not TimeSegment.objects.exists() and not BundleRecord.objects.exists()
    assert not Task.objects.filter(status=Status.DONE).exists()
    assert dashboard.build(start, end - timedelta(days=1)).figures == before


def old_audit_rows(clerk, capture, monkeypatch, n=5):
    """Audit rows written 500 days ago (the clock of the chain, not an edit of the rows)."""
    AuditRecord.objects.all().delete()  # creating the clerk wrote one, not checkpointed
    AuditHead.objects.all().delete()
    then = _ago(500)
    with monkeypatch.context() as m:
        m.setattr(audit.timezone, "now", lambda: then)
        with capture(execute=True):
            for i in range(n):
                audit.record(clerk, "register.search", query=f"old {i}", person_ids=["100001"])


def test_purge_is_audited_archives_old_audit_rows_and_verify_passes(
    db, periods, clerk, django_capture_on_commit_callbacks, monkeypatch
):
    old_audit_rows(clerk, django_capture_on_commit_callbacks, monkeypatch)
    with django_capture_on_commit_callbacks(execute=True):
        audit.record(clerk, "register.search", query="recent")
    n_old = AuditRecord.objects.filter(at__lt=_ago(400)).count()
    with django_capture_on_commit_callbacks(execute=True):
        report = retention.purge()
    assert report.audit_archived == n_old
    assert not AuditRecord.objects.filter(at__lt=_ago(400)).exists()
    purge_rec = AuditRecord.objects.get(action="system.purge")
    assert json.loads(purge_rec.query)["deleted"]["visits"] == 0
    assert AuditRecord.objects.filter(action="audit.archive").exists()
    result = audit.verify()
    assert result.ok, result.problems
    assert result.archived == n_old


def test_purge_command_dry_run_json(db, periods, clerk, capsys):
    _visit(clerk, 500)
    call_command("purge", "--dry-run", "--json")
    out = json.loads(capsys.readouterr().out)
    assert out["dry_run"] and out["deleted"]["visits"] == 1
    assert Visit.objects.count() == 1
    assert not AuditRecord.objects.filter(action="system.purge").exists()
    call_command("purge")
    assert "deleted visits: 1" in capsys.readouterr().out and not Visit.objects.exists()
    assert AuditRecord.objects.filter(action="system.purge").count() == 1
