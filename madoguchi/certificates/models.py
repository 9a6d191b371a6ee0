"""Certificates issued at the counter (証明書交付), the seal register and the till.

An issued certificate is immutable: voiding, refunding and reprinting add rows to
``CertificateAction``; a reissue is a new ``Certificate`` pointing at the one it
replaces. The till report (日計表) is computed from these rows only.
No 個人番号 anywhere: madoguchi holds none.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SealStatus(models.TextChoices):
    ACTIVE = "active", _("登録中")
    ABOLISHED = "abolished", _("廃止")
    LOST = "lost", _("亡失")


class SealRegistration(models.Model):
    """One entry of the seal register (印鑑登録原票): the impression and the card."""

    municipality_code = models.CharField(max_length=6, default="999999")
    registration_no = models.CharField(_("印鑑登録番号"), max_length=16)
    atena_no = models.CharField(_("宛名番号"), max_length=16, db_index=True)
    card_no = models.CharField(_("印鑑登録証番号"), max_length=16, blank=True)
    # The 印影 as supplied (PNG or SVG bytes); empty when the import had none.
    impression = models.BinaryField(_("印影"), blank=True, default=b"")
    impression_format = models.CharField(max_length=4, blank=True)  # png | svg
    status = models.CharField(
        _("状態"), max_length=12, choices=SealStatus.choices, default=SealStatus.ACTIVE
    )
    registered_on = models.DateField(_("登録日"), null=True, blank=True)
    source = models.CharField(max_length=12, default="import")  # import | counter | demo
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("印鑑登録")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "registration_no"], name="uniq_seal_registration"
            )
        ]


class RequesterType(models.TextChoices):
    SELF = "self", _("本人")
    HOUSEHOLD = "household", _("同一世帯の者")
    AGENT = "agent", _("代理人（委任状）")
    THIRD_PARTY = "third_party", _("第三者")
    OFFICIAL = "official", _("公用請求")
    CARD = "card", _("印鑑登録証の提示者")
    KIN = "kin", _("配偶者・直系尊属・直系卑属")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("現金")
    CASHLESS = "cashless", _("キャッシュレス")
    EXEMPT = "exempt", _("免除")
    # Paid when a deferred request was recorded: counted in the till of that day.
    PREPAID = "prepaid", _("前納済")


class CertificateRequest(models.Model):
    """One 交付申請 (the signed request form): who asked, for whom, why, how paid."""

    municipality_code = models.CharField(max_length=6, default="999999")
    ticket = models.ForeignKey(
        "counter.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        "counter.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    counter_no = models.CharField(_("窓口番号"), max_length=8, blank=True)
    channel = models.CharField(max_length=8, default="ui")  # ui | api | cli
    subject_atena_no = models.CharField(_("対象者の宛名番号"), max_length=16)
    requester_type = models.CharField(_("請求者"), max_length=16, choices=RequesterType.choices)
    requester_atena_no = models.CharField(max_length=16, blank=True)
    requester_name = models.CharField(_("請求者の氏名・名称"), max_length=120, blank=True)
    requester_address = models.CharField(_("請求者の住所"), max_length=200, blank=True)
    purpose = models.CharField(_("請求の事由"), max_length=200, blank=True)
    legal_basis = models.CharField(_("根拠"), max_length=200, blank=True)
    proxy_dated_on = models.DateField(_("委任状の作成日"), null=True, blank=True)
    id_document = models.CharField(_("本人確認書類"), max_length=24, blank=True)
    seal_card_no = models.CharField(_("印鑑登録証番号"), max_length=16, blank=True)
    payment_method = models.CharField(
        _("支払方法"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    fee_total = models.PositiveIntegerField(_("手数料合計"), default=0)
    receipt_no = models.CharField(_("領収番号"), max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("証明書交付申請")


class ImmutableError(Exception):
    pass


class Certificate(models.Model):
    """One issued certificate (all its copies). Never updated once saved."""

    municipality_code = models.CharField(max_length=6, default="999999")
    issue_no = models.CharField(_("交付番号"), max_length=20)
    code = models.CharField(_("照合番号"), max_length=24, unique=True)
    request = models.ForeignKey(
        CertificateRequest, related_name="certificates", on_delete=models.PROTECT
    )
    kind = models.CharField(_("種類"), max_length=32)
    kind_name = models.CharField(_("種類名"), max_length=60)
    subject_atena_no = models.CharField(max_length=16)
    person_atena_nos = models.JSONField(default=list)  # the persons printed, in order
    items = models.JSONField(default=list)  # the optional items printed
    copies = models.PositiveIntegerField(_("通数"))
    fee_per_copy = models.PositiveIntegerField(_("1通の手数料"))
    fee = models.PositiveIntegerField(_("手数料"))
    exempt_reason = models.CharField(_("免除の理由"), max_length=120, blank=True)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    counter_no = models.CharField(max_length=8, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()
    issued_on = models.DateField(db_index=True)
    register_as_of = models.DateTimeField(null=True, blank=True)
    # The 印影 actually printed (印鑑登録証明書): a copy, so that a reprint equals what was
    # issued even when the seal register changes later; the digest is shown on verify.
    seal_registration_no = models.CharField(_("印鑑登録番号"), max_length=16, blank=True)
    impression = models.BinaryField(_("印影"), blank=True, default=b"")
    impression_format = models.CharField(max_length=4, blank=True)  # png | svg
    impression_digest = models.CharField(_("印影のダイジェスト"), max_length=64, blank=True)
    reissue_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissues"
    )

    class Meta:
        verbose_name = _("交付済証明書")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "issue_no"], name="uniq_certificate_issue_no"
            )
        ]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ImmutableError("an issued certificate is immutable (void it instead)")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("an issued certificate is immutable (void it instead)")


class ActionKind(models.TextChoices):
    VOID = "void", _("取消（返金）")
    REPRINT = "reprint", _("再印刷")
    REFUND = "refund", _("一部返金（交付しなかった通数）")


class CertificateAction(models.Model):
    """What happened to an issued certificate afterwards (append-only)."""

    certificate = models.ForeignKey(Certificate, related_name="actions", on_delete=models.PROTECT)
    action = models.CharField(max_length=10, choices=ActionKind.choices)
    reason = models.CharField(_("理由"), max_length=200)
    refund = models.PositiveIntegerField(_("返金額"), default=0)
    # refund: the copies not delivered (their fee is refunded); void: the copies left.
    copies = models.PositiveIntegerField(_("返金した通数"), default=0)
    counter_no = models.CharField(max_length=8, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    on = models.DateField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["certificate"],
                condition=models.Q(action="void"),
                name="uniq_certificate_void",
            )
        ]


class DeferredStatus(models.TextChoices):
    WAITING = "waiting", _("交付待ち")
    ISSUED = "issued", _("交付済")
    CANCELLED = "cancelled", _("取りやめ")


class DeferredRequest(models.Model):
    """A certificate asked for now and issued later: once the register shows the new
    address (after the next import of the core system's register) or on a chosen date.
    Recorded in a visit that also records a move; the resident takes a slip. The fee is
    paid now (counted in that day's till, the certificate is then ``prepaid``) or at issue.
    """

    municipality_code = models.CharField(max_length=6, default="999999")
    slip_no = models.CharField(_("受付番号"), max_length=20)
    visit = models.ForeignKey(
        "counter.Visit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ticket = models.ForeignKey(
        "counter.Ticket", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    counter_no = models.CharField(_("窓口番号"), max_length=8, blank=True)
    subject_atena_no = models.CharField(_("対象者の宛名番号"), max_length=16)
    # What the request needs to be issued as asked (kinds, items, persons, copies, requester).
    request_data = models.JSONField(default=dict)
    kinds_text = models.CharField(_("証明書"), max_length=200)
    # Until: the register shows an address other than this one (the import processed the
    # move), or the date below, whichever the clerk chose.
    address_at_request = models.CharField(max_length=200, blank=True)
    status_at_request = models.CharField(max_length=1, blank=True)
    issue_on = models.DateField(_("交付予定日"), null=True, blank=True)
    paid_now = models.BooleanField(_("手数料を前納"), default=False)
    payment_method = models.CharField(
        _("支払方法"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.CASH
    )
    fee_total = models.PositiveIntegerField(_("手数料合計"), default=0)
    receipt_no = models.CharField(_("領収番号"), max_length=20, blank=True)
    paid_on = models.DateField(null=True, blank=True, db_index=True)
    status = models.CharField(
        _("状態"), max_length=10, choices=DeferredStatus.choices, default=DeferredStatus.WAITING
    )
    issued_request = models.ForeignKey(
        CertificateRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_reason = models.CharField(_("理由"), max_length=200, blank=True)
    refund = models.PositiveIntegerField(_("返金額"), default=0)
    closed_on = models.DateField(null=True, blank=True, db_index=True)
    closed_counter_no = models.CharField(max_length=8, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("後日交付の請求")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "slip_no"], name="uniq_deferred_slip_no"
            )
        ]


class IssueSequence(models.Model):
    """The last issue / receipt number per municipality and year (row-locked)."""

    municipality_code = models.CharField(max_length=6, default="999999")
    year = models.PositiveIntegerField()
    name = models.CharField(max_length=12)  # issue | receipt
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["municipality_code", "year", "name"], name="uniq_issue_sequence"
            )
        ]
