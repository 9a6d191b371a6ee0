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
        indexes = [
            models.Index(fields=["kind", "started_at"]),
            models.Index(fields=["kind", "ended_at"]),  # tasks finished on a day (rollups)
        ]

    @property
    def seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class Grain(models.TextChoices):
    DAY = "d", _("日")
    WEEK = "w", _("週")
    MONTH = "m", _("月")
    QUARTER = "q", _("四半期")


class Rollup(models.Model):
    """Counter figures of one closed day, week or month, per dimension and counter group.

    Holds no personal data (counts, sums and duration histograms; clerks by staff id), so
    it is what remains when visits are purged after their retention period. ``dim`` is
    ``total`` (key ``""``), ``hour`` (hour of issue), ``weekday_hour`` (``"0-9"``: Monday
    9 h), ``purpose`` (life event or ``certificate``), ``segment`` (time-segment kind),
    ``counter`` (counter number), ``clerk`` (staff id), ``procedures`` (procedures in
    the visit) or ``department`` (catalog id).

    Visit rows count visits (cancelled ones apart in ``cancelled`` and nowhere else);
    ``hist_wait`` / ``hist_service`` count visits per whole minute of wait / service
    (the last bucket holds everything beyond). On ``segment`` rows ``hist_wait`` holds
    the minutes spent in that segment; on ``department`` rows ``n`` is the tasks routed
    that day, ``done`` those finished that day and ``hist_wait`` their turnaround in hours.
    """

    municipality_code = models.CharField(max_length=6, default="999999")
    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()  # the day, the week's Monday or the month's first day
    group = models.CharField(max_length=16)
    dim = models.CharField(max_length=16)
    key = models.CharField(max_length=64, blank=True)
    n = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    procedures = models.PositiveIntegerField(default=0)
    forms = models.PositiveIntegerField(default=0)
    chars = models.PositiveBigIntegerField(default=0)
    one_counter = models.PositiveIntegerField(default=0)
    left_open = models.PositiveIntegerField(default=0)
    # procedures of the visits handled at the counter (同席で対応: done or in progress there)
    at_counter = models.PositiveIntegerField(default=0)
    wait_seconds = models.PositiveBigIntegerField(default=0)
    service_seconds = models.PositiveBigIntegerField(default=0)
    hist_wait = models.JSONField(default=list, blank=True)
    hist_service = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "grain", "period", "group", "dim", "key"],
                name="uniq_rollup",
            )
        ]
        indexes = [models.Index(fields=["grain", "period", "dim"])]


class RollupMark(models.Model):
    """A day or month whose rollup rows are written (so an empty day is not rebuilt)."""

    municipality_code = models.CharField(max_length=6, default="999999")
    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()
    built_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "grain", "period"], name="uniq_rollup_mark"
            )
        ]
