"""Department work items: one task per determined procedure of a visit.

The status history is append-only (``TaskStatus`` rows are only ever inserted); the
current status is the latest row. Hand-offs to department systems are recorded attempt
by attempt (``HandOffAttempt``) so a failure is visible and retried, never lost.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from madoguchi.catalog.versions import current_code


class Status(models.TextChoices):
    RECEIVED = "received", _("受付")
    IN_PROGRESS = "in_progress", _("処理中")
    DONE = "done", _("完了")
    RETURNED = "returned", _("差戻し")
    # the counter cancelled the procedure or the visit (with a reason): nothing to do
    WITHDRAWN = "withdrawn", _("取下げ")


class Handling(models.TextChoices):
    BACK_OFFICE = "back_office", _("バックオフィス")
    AT_COUNTER = "at_counter", _("窓口で同席")


class HandOffState(models.TextChoices):
    PENDING = "pending", _("連携待ち")
    SENT = "sent", _("連携済")
    FAILED = "failed", _("連携失敗（再試行待ち）")


def handoff_state_field():
    """The delivery state of a hand-off item (a task, the 異動 record of a visit)."""
    return models.CharField(
        _("連携状態"),
        max_length=16,
        choices=HandOffState.choices,
        default=HandOffState.PENDING,
        db_index=True,
    )


class Task(models.Model):
    municipality_code = models.CharField(max_length=6, default=current_code)
    visit = models.ForeignKey("counter.Visit", related_name="tasks", on_delete=models.PROTECT)
    procedure_id = models.CharField(_("手続ID"), max_length=64)
    name = models.CharField(_("手続名"), max_length=200)
    department = models.CharField(_("所管課"), max_length=32, db_index=True)
    persons = models.JSONField(default=list, blank=True)  # situation ids (p1 …)
    deadline = models.DateField(_("期限"), null=True, blank=True)
    handling = models.CharField(
        _("処理場所"), max_length=16, choices=Handling.choices, default=Handling.BACK_OFFICE
    )
    # Denormalised current status (the latest TaskStatus row) for fast queues.
    status = models.CharField(
        _("状態"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    handoff_state = handoff_state_field()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("課の処理")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "procedure_id"], name="uniq_visit_procedure")
        ]


class TaskStatus(models.Model):
    task = models.ForeignKey(Task, related_name="history", on_delete=models.PROTECT)
    status = models.CharField(max_length=16, choices=Status.choices)
    reason = models.CharField(_("理由"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    # when it happened: now, or the moment a procedure was done at the counter (同席),
    # which is before the visit was signed and the task created
    at = models.DateTimeField(default=timezone.now)
    # the row was written at the counter (同席で対応), not in the department
    at_counter = models.BooleanField(_("窓口で"), default=False)

    class Meta:
        ordering = ["id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("TaskStatus rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("TaskStatus rows are append-only")


class HandOffAttemptFields(models.Model):
    """One delivery attempt of a hand-off item: what every kind of item records (a
    department task here, the 異動 record of a visit in ``counter.IdoHandOffAttempt``)."""

    plugin = models.CharField(max_length=32)
    ok = models.BooleanField(default=False)
    error = models.CharField(max_length=300, blank=True)
    reference = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["id"]


class HandOffAttempt(HandOffAttemptFields):
    task = models.ForeignKey(Task, related_name="handoffs", on_delete=models.PROTECT)
