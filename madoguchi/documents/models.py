"""What each printed bundle saved the resident: analytics of 書かない窓口, no personal data
(form ids, counts and the visit it belongs to, never names or addresses)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BundleRecord(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    channel = models.CharField(_("経路"), max_length=16)  # counter | api | preview
    reference = models.CharField(_("参照"), max_length=64, blank=True)  # e.g. visit:12
    forms = models.JSONField(default=list)  # form ids, sorted, once each
    documents = models.PositiveIntegerField(_("様式の枚数"))
    pages = models.PositiveIntegerField(_("ページ数"))
    handwritten_chars = models.PositiveIntegerField(
        _("手書きしたはずの文字数"),
        help_text="sum of the filled field lengths; names and addresses on every form",
    )
    overflow = models.PositiveIntegerField(_("超過リストの件数"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.channel} {self.reference} {self.handwritten_chars}"
