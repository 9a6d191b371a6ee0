"""Time segments of a visit: every wait and service time is derived from these rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SegmentKind(models.TextChoices):
    WAITING = "waiting", _("待ち")
    CALLED = "called", _("呼出")
    INTERVIEW = "interview", _("聞き取り")
    PRINTING = "printing", _("印刷・署名")
    DEPARTMENT = "department", _("課の処理")
    DONE = "done", _("完了")


#: the kinds that count as the counter's service time
SERVICE_KINDS = (SegmentKind.CALLED, SegmentKind.INTERVIEW, SegmentKind.PRINTING)


class TimeSegment(models.Model):
    municipality_code = models.CharField(max_length=6, default="999999")
    ticket = models.ForeignKey(
        "counter.Ticket", null=True, blank=True, related_name="segments", on_delete=models.CASCADE
    )
    visit = models.ForeignKey(
        "counter.Visit", null=True, blank=True, related_name="segments", on_delete=models.CASCADE
    )
    task = models.ForeignKey(
        "tasks.Task", null=True, blank=True, related_name="segments", on_delete=models.CASCADE
    )
    kind = models.CharField(max_length=16, choices=SegmentKind.choices)
    purpose = models.CharField(max_length=32, blank=True)  # the ticket's event / certificate
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    started_at = models.DateTimeField(db_index=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [models.Index(fields=["kind", "started_at"])]

    @property
    def seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()
