"""Retention: what is past its period leaves the database (docs/retention.md).

Each kind of record has a retention period in days (settings
``MADOGUCHI_RETENTION_DAYS``, from ``MADOGUCHI_RETAIN_<KIND>_DAYS``). ``purge``:

1. rolls every closed day up to the latest cutoff into the analytics rollups first
   (``analytics.rollups.ensure``: the rollups hold no personal data and are what the
   dashboard of past years reads);
2. in one transaction, deletes or anonymises what is past its period, and writes one
   ``system.purge`` audit record with the counts (no personal data):

   * time segments and printed-bundle records: deleted;
   * finished tasks (完了, 取下げ) with their status history and hand-off attempts:
     deleted; tasks still open are kept whatever their age;
   * issued certificates past the certificates' legal period: deleted with their
     actions (a certificate reissued later stays until its reissue goes);
   * certificate requests (the fee records: amount, receipt number, payment) past both
     the certificates' and the fees' legal periods and without a certificate left:
     deleted;
   * visits: deleted with their persons, events and ticket when nothing else needs
     them; **anonymised** (persons, events, working state, result and household number
     removed; dates, catalog version and municipality kept) when a kept task or a kept
     certificate request still points at them; left untouched while a task is open;
   * tickets without a visit and ticket sequences past the visits' period: deleted;

3. moves the audit rows past the audit period to a signed archive file
   (``audit.archive``), so ``audit verify`` keeps passing and still checks them.

Certificates and fee records never go before their legal periods: a configured period
shorter than the legal minimum is refused (``RetentionError``), not shortened.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from madoguchi.analytics import rollups
from madoguchi.analytics.models import TimeSegment
from madoguchi.audit import archive
from madoguchi.audit.services import record
from madoguchi.certificates.models import (
    Certificate,
    CertificateAction,
    CertificateRequest,
    DeferredRequest,
    DeferredStatus,
)
from madoguchi.counter.models import (
    IdoHandOff,
    Ticket,
    TicketSequence,
    Visit,
    VisitEvent,
    VisitPerson,
)
from madoguchi.documents.models import BundleRecord
from madoguchi.tasks.models import HandOffAttempt, Status, Task, TaskStatus

KINDS = ("visits", "tasks", "segments", "bundles", "audit", "certificates", "fees")
# The floor the product keeps whatever the settings say: issued certificates (交付請求書
# and the issue record) and fee records (手数料の収納記録) are kept for five years, the
# period of the city's 文書管理規程 for these records and of the extinctive prescription
# of public money claims (地方自治法第236条). A city with a longer rule sets a longer period.
LEGAL_MINIMUM_DAYS = {"certificates": 5 * 365 + 2, "fees": 5 * 365 + 2}


class RetentionError(ValueError):
    pass


def policy() -> dict[str, int]:
    """The retention period of each kind in days, checked against the legal minimums."""
    configured = getattr(settings, "MADOGUCHI_RETENTION_DAYS", {})
    out: dict[str, int] = {}
    for kind in KINDS:
        if kind not in configured:
            raise RetentionError(f"MADOGUCHI_RETENTION_DAYS has no period for {kind!r}")
        try:
            days = int(configured[kind])
        except (TypeError, ValueError):
            raise RetentionError(
                f"MADOGUCHI_RETAIN_{kind.upper()}_DAYS: not a number of days"
            ) from None
        if days < 1:
            raise RetentionError(f"MADOGUCHI_RETAIN_{kind.upper()}_DAYS: must be at least 1 day")
        minimum = LEGAL_MINIMUM_DAYS.get(kind, 0)
        if days < minimum:
            raise RetentionError(
                f"MADOGUCHI_RETAIN_{kind.upper()}_DAYS={days}: shorter than the legal "
                f"period ({minimum} days); these records are never purged before it"
            )
        out[kind] = days
    return out


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class PurgeReport:
    today: date
    dry_run: bool
    cutoffs: dict[str, str] = field(default_factory=dict)  # kind → first day kept
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)  # past the period but still needed
    rolled_up_days: int = 0
    audit_archived: int = 0
    audit_archive_file: str = ""

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(),
            "dry_run": self.dry_run,
            "cutoffs": self.cutoffs,
            "deleted": self.deleted,
            "anonymised": self.anonymised,
            "kept": self.kept,
            "rolled_up_days": self.rolled_up_days,
            "audit_archived": self.audit_archived,
            "audit_archive_file": self.audit_archive_file,
        }


def _delete(report: PurgeReport, name: str, qs) -> None:
    # QuerySet.delete, not Model.delete: the append-only guards of task statuses and
    # issued certificates are for the application; the purge is the one legitimate end.
    n = qs.count()
    if n:
        qs.delete()
    report.deleted[name] = report.deleted.get(name, 0) + n


def _purge_certificates(report: PurgeReport, cut: dict[str, date]) -> None:
    old = Certificate.objects.filter(issued_on__lt=cut["certificates"])
    # A certificate reissued later stays until its reissue is past the period too.
    old = old.exclude(reissues__issued_on__gte=cut["certificates"])
    ids = list(old.order_by("-pk").values_list("pk", flat=True))
    _delete(report, "certificate_actions", CertificateAction.objects.filter(certificate__in=ids))
    # Newest first: a reissue goes before the certificate it reissued (PROTECT).
    n = 0
    for pk in ids:
        Certificate.objects.filter(pk=pk).delete()
        n += 1
    report.deleted["certificates"] = n
    request_cut = min(cut["certificates"], cut["fees"])
    # Deferred requests (後日交付) are fee records too: closed ones go with the fees; a
    # waiting one stays whatever its age.
    _delete(
        report,
        "deferred_requests",
        DeferredRequest.objects.filter(created_at__lt=_start_of(request_cut)).exclude(
            status=DeferredStatus.WAITING
        ),
    )
    _delete(
        report,
        "certificate_requests",
        CertificateRequest.objects.filter(created_at__lt=_start_of(request_cut))
        .exclude(pk__in=Certificate.objects.values("request"))
        .exclude(
            pk__in=DeferredRequest.objects.exclude(issued_request=None).values("issued_request")
        ),
    )


# A task in one of these states needs nothing more from anyone.
CLOSED = (Status.DONE, Status.WITHDRAWN)


def _purge_tasks(report: PurgeReport, cut: dict[str, date]) -> None:
    done = Task.objects.filter(status__in=CLOSED, created_at__lt=_start_of(cut["tasks"]))
    ids = list(done.values_list("pk", flat=True))
    _delete(report, "task_statuses", TaskStatus.objects.filter(task__in=ids))
    _delete(report, "handoff_attempts", HandOffAttempt.objects.filter(task__in=ids))
    _delete(report, "tasks", Task.objects.filter(pk__in=ids))
    report.kept["tasks_open"] = (
        Task.objects.filter(created_at__lt=_start_of(cut["tasks"]))
        .exclude(status__in=CLOSED)
        .count()
    )


def _purge_visits(report: PurgeReport, cut: dict[str, date]) -> None:
    old = Visit.objects.filter(created_at__lt=_start_of(cut["visits"]))
    open_task = Task.objects.exclude(status__in=CLOSED).values("visit")
    report.kept["visits_open_task"] = old.filter(pk__in=open_task).count()
    old = old.exclude(pk__in=open_task)
    needed = (
        old.filter(pk__in=Task.objects.values("visit"))
        | old.filter(pk__in=CertificateRequest.objects.exclude(visit=None).values("visit"))
        | old.filter(pk__in=DeferredRequest.objects.exclude(visit=None).values("visit"))
    )
    needed_ids = list(needed.values_list("pk", flat=True))
    # (not .exclude(state__anonymised=True): a missing key is NULL and would be excluded)
    done = set(
        Visit.objects.filter(pk__in=needed_ids, state__anonymised=True).values_list("pk", flat=True)
    )
    anonymised = [pk for pk in needed_ids if pk not in done]
    _delete(report, "visit_persons", VisitPerson.objects.filter(visit__in=anonymised))
    # the 異動 records handed to the core system hold the persons too (docs/ido.md)
    _delete(report, "ido_handoffs", IdoHandOff.objects.filter(visit__in=anonymised))
    _delete(report, "visit_events", VisitEvent.objects.filter(visit__in=anonymised))
    Visit.objects.filter(pk__in=anonymised).update(
        state={"anonymised": True}, result={}, household_no=""
    )
    report.anonymised["visits"] = len(anonymised)
    gone = old.exclude(pk__in=needed_ids)
    tickets = list(gone.exclude(ticket=None).values_list("ticket", flat=True))
    _delete(report, "visits", gone)  # persons, events and segments cascade
    kept_tickets = [
        *CertificateRequest.objects.exclude(ticket=None).values_list("ticket", flat=True),
        *DeferredRequest.objects.exclude(ticket=None).values_list("ticket", flat=True),
    ]
    _delete(
        report,
        "tickets",
        Ticket.objects.filter(pk__in=tickets).exclude(pk__in=kept_tickets),
    )
    _delete(
        report,
        "tickets",
        Ticket.objects.filter(issued_on__lt=cut["visits"], visit=None).exclude(pk__in=kept_tickets),
    )
    _delete(report, "ticket_sequences", TicketSequence.objects.filter(issued_on__lt=cut["visits"]))


def purge(today: date | None = None, *, dry_run: bool = False) -> PurgeReport:
    """Roll up, then delete or anonymise what is past its period, then archive the audit
    rows past theirs. ``dry_run`` does the same work inside a transaction that is rolled
    back and only counts the audit rows an archive would take."""
    days = policy()
    today = today or timezone.localdate()
    cut = {kind: today - timedelta(days=d) for kind, d in days.items()}
    report = PurgeReport(today=today, dry_run=dry_run)
    report.cutoffs = {kind: c.isoformat() for kind, c in cut.items()}
    with transaction.atomic():
        first = rollups.first_day()
        last = max(cut["visits"], cut["tasks"], cut["segments"], cut["bundles"])
        if first is not None and first < last:
            report.rolled_up_days = rollups.ensure(first, last - timedelta(days=1), today=today)
        _delete(
            report,
            "time_segments",
            TimeSegment.objects.filter(started_at__lt=_start_of(cut["segments"])),
        )
        _delete(
            report,
            "bundle_records",
            BundleRecord.objects.filter(created_at__lt=_start_of(cut["bundles"])),
        )
        _purge_certificates(report, cut)
        _purge_tasks(report, cut)
        _purge_visits(report, cut)
        record(
            None,
            "system.purge",
            query=json.dumps(
                {"cutoffs": report.cutoffs, "deleted": report.deleted,
                 "anonymised": report.anonymised, "dry_run": dry_run},
                sort_keys=True, ensure_ascii=False,
            ),
        )  # fmt: skip
        if dry_run:
            transaction.set_rollback(True)
    audit_cut = _start_of(cut["audit"])
    if dry_run:
        report.audit_archived = archive.rows_before(audit_cut)[2]
    else:
        result = archive.archive_before(audit_cut)
        report.audit_archived = result.count
        report.audit_archive_file = str(result.path or "")
    return report
