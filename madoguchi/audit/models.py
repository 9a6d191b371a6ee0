from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditRecord(models.Model):
    """One read or change of personal data. Append-only; chained by hash.

    ``hash`` = SHA-256 over the previous record's hash and this record's canonical
    content, so an altered, inserted or deleted record breaks the chain
    (``madoguchi audit verify``).
    """

    seq = models.BigIntegerField(unique=True)
    at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_username = models.CharField(max_length=150)
    action = models.CharField(_("操作"), max_length=40, db_index=True)
    query = models.TextField(_("検索語・対象"), blank=True)
    person_ids = models.JSONField(_("対象者（宛名番号）"), default=list)
    household_ids = models.JSONField(_("対象世帯（世帯番号）"), default=list)
    flagged = models.BooleanField(_("要注意（支援措置）"), default=False, db_index=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # HMAC-SHA256 of "seq:hash" under MADOGUCHI_AUDIT_KEY (audit/anchor.py): a chain
    # rewritten with recomputed hashes no longer matches without the key.
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-seq"]
        indexes = [models.Index(fields=["at"]), models.Index(fields=["actor_username", "at"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action}"


class AuditHead(models.Model):
    """The chain's head (one row): the last record's ``seq`` and ``hash``, written in the
    same transaction as the record. Deleting records from the end of the chain leaves a
    chain that is consistent in itself; the head then points past it and ``verify``
    reports the truncation."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
