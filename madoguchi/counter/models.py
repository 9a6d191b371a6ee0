"""Reception (tickets) and the visit (案件) at the one-stop counter.

A ticket is a numbered place in the queue of a counter group; the visit holds what the
clerk learns and decides: the persons involved (each as a situation person pre-filled
from the register), the life events, the answers, the determined procedures with the
catalog version and explanation, the signature and the ID check. Every step saves the
state in the database, guarded by ``version`` (optimistic locking).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from madoguchi.catalog.versions import current_code
from madoguchi.tasks.models import HandOffAttemptFields, handoff_state_field


class CounterGroup(models.TextChoices):
    ONESTOP = "onestop", _("ワンストップ窓口（異動・ライフイベント）")
    CERTIFICATE = "certificate", _("証明書窓口")


GROUP_PREFIX = {CounterGroup.ONESTOP: "A", CounterGroup.CERTIFICATE: "C"}


class TicketStatus(models.TextChoices):
    WAITING = "waiting", _("お待ち")
    CALLED = "called", _("呼出中")
    HELD = "held", _("保留")
    IN_SERVICE = "in_service", _("対応中")
    DONE = "done", _("完了")
    CANCELLED = "cancelled", _("取消")


class TicketSequence(models.Model):
    """The last number issued per day and counter group (row-locked when issuing)."""

    municipality_code = models.CharField(max_length=6, default=current_code)
    issued_on = models.DateField()
    group = models.CharField(max_length=16, choices=CounterGroup.choices)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "issued_on", "group"], name="uniq_ticket_seq"
            )
        ]


class Ticket(models.Model):
    municipality_code = models.CharField(max_length=6, default=current_code)
    issued_on = models.DateField(_("発券日"), db_index=True)
    group = models.CharField(_("窓口グループ"), max_length=16, choices=CounterGroup.choices)
    number = models.PositiveIntegerField(_("受付番号"))
    # Purpose: a life event id of the catalog (move_in …) or "certificate".
    purpose = models.CharField(_("用件"), max_length=32)
    status = models.CharField(
        _("状態"), max_length=16, choices=TicketStatus.choices, default=TicketStatus.WAITING
    )
    counter_no = models.CharField(_("窓口番号"), max_length=8, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    called_at = models.DateTimeField(null=True, blank=True)
    recall_count = models.PositiveIntegerField(default=0)
    transferred_from = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("受付票")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "issued_on", "group", "number"],
                name="uniq_ticket_number",
            )
        ]
        indexes = [models.Index(fields=["group", "status", "issued_on", "number"])]

    @property
    def display_no(self) -> str:
        return f"{GROUP_PREFIX.get(self.group, '')}{self.number:03d}"

    def __str__(self) -> str:
        return self.display_no


class VisitStep(models.TextChoices):
    IDENTIFY = "identify", _("本人特定")
    INTERVIEW = "interview", _("聞き取り")
    CONFIRMED = "confirmed", _("確認済")
    PRINTED = "printed", _("印刷済")
    SIGNED = "signed", _("署名済")
    DONE = "done", _("完了")
    CANCELLED = "cancelled", _("取消")


class IdDocument(models.TextChoices):
    MY_NUMBER_CARD = "my_number_card", _("マイナンバーカード")
    DRIVERS_LICENSE = "drivers_license", _("運転免許証")
    PASSPORT = "passport", _("旅券")
    RESIDENCE_CARD = "residence_card", _("在留カード・特別永住者証明書")
    INSURANCE_CARD = "insurance_card", _("資格確認書等＋その他1点")
    OTHER = "other", _("その他の官公署発行書類")


class Visit(models.Model):
    municipality_code = models.CharField(max_length=6, default=current_code)
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="visit"
    )
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    step = models.CharField(
        _("段階"), max_length=16, choices=VisitStep.choices, default=VisitStep.IDENTIFY
    )
    version = models.PositiveIntegerField(_("版"), default=1)
    event_date = models.DateField(_("異動日"))
    household_no = models.CharField(_("世帯番号"), max_length=16, blank=True)
    # Working state of the screens (new address, answers, edits, paper 転出証明書 entry …).
    state = models.JSONField(default=dict, blank=True)
    # What the determination used and produced: kept so the visit can be explained later.
    catalog_version = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    id_document = models.CharField(
        _("本人確認書類"), max_length=24, choices=IdDocument.choices, blank=True
    )
    printed_at = models.DateTimeField(null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("案件")

    def __str__(self) -> str:
        return f"visit {self.pk}"


class VisitPerson(models.Model):
    visit = models.ForeignKey(Visit, related_name="persons", on_delete=models.CASCADE)
    pid = models.CharField(max_length=8)  # p1, p2 … the id in the situation
    atena_no = models.CharField(_("宛名番号"), max_length=16, blank=True)
    involved = models.BooleanField(_("手続対象"), default=True)
    # The situation person (relationship, birth_date, sex, health_insurance, pension,
    # flags, nationality, register{…}) pre-filled from the register, then edited.
    data = models.JSONField(default=dict)
    # Edits of register facts: [{field, before, after, reason, by, at}]
    edits = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=16, default="register")  # register|pending|paper
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "pid"], name="uniq_visit_pid")]


class VisitEvent(models.Model):
    visit = models.ForeignKey(Visit, related_name="events", on_delete=models.CASCADE)
    event = models.CharField(_("ライフイベント"), max_length=32)
    # Event details of the situation (deceased, couple, surname_changes, same_prefecture …)
    details = models.JSONField(default=dict, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["visit", "event"], name="uniq_visit_event")]


class IdoRecordType(models.TextChoices):
    IDO = "ido", _("異動")
    CANCEL = "cancel", _("取消")


class IdoHandOff(models.Model):
    """One version of a signed visit's 異動 record, handed to the core resident-register
    system through the hand-off registry (route ``ido``, docs/ido.md).

    The rows are stored as they were made, so a retry or a re-send delivers the same
    record under the same name (``stem``: visit + version); a later version of the visit
    (a procedure withdrawn, the visit cancelled) is a new row, never an edit."""

    ROUTE = "ido"  # the key of settings.MADOGUCHI_HANDOFF_ROUTES

    municipality_code = models.CharField(max_length=6, default=current_code)
    visit = models.ForeignKey(Visit, related_name="ido_handoffs", on_delete=models.CASCADE)
    version = models.PositiveIntegerField(_("版"))  # the visit's version when made
    record_type = models.CharField(
        _("記録区分"), max_length=8, choices=IdoRecordType.choices, default=IdoRecordType.IDO
    )
    rows = models.JSONField(default=list)
    handoff_state = handoff_state_field()
    reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("異動記録の連携")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["visit", "version"], name="uniq_ido_visit_version")
        ]

    @property
    def department(self) -> str:
        """The route of the hand-off registry (plugins that route by department)."""
        return self.ROUTE

    @property
    def stem(self) -> str:
        """The file name without extension: the visit and the version."""
        suffix = "-cancel" if self.record_type == IdoRecordType.CANCEL else ""
        return f"ido-{self.visit_id}-v{self.version}{suffix}"


class IdoHandOffAttempt(HandOffAttemptFields):
    handoff = models.ForeignKey(IdoHandOff, related_name="attempts", on_delete=models.CASCADE)
