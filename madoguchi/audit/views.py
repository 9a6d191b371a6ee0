"""Audit browsing for administrators: filter by staff, action, date range, person
(宛名番号) and flagged (支援措置) only; paginated. Filters are POSTed (a 宛名番号 is
personal data and must not land in access logs). Browsing is itself audited
(``audit.browse``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import QuerySet
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from . import services
from .models import AuditRecord

PAGE_SIZE = 50


class AuditFilter(forms.Form):
    actor = forms.CharField(label=_("職員"), required=False, max_length=150)
    action = forms.CharField(label=_("操作"), required=False, max_length=40)
    date_from = forms.DateField(label=_("開始日"), required=False)
    date_to = forms.DateField(label=_("終了日"), required=False)
    person = forms.CharField(label=_("宛名番号"), required=False, max_length=16)
    flagged = forms.BooleanField(label=_("要注意（支援措置）のみ"), required=False)
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("開始日が終了日より後です"))
        return data


def require_admin(user) -> None:
    if not getattr(user, "is_admin", False):
        raise PermissionDenied(_("監査ログはシステム管理者のみ閲覧できます"))


def filter_records(
    *,
    actor: str = "",
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
    person: str = "",
    flagged: bool = False,
) -> QuerySet:
    qs = AuditRecord.objects.order_by("-seq")
    if actor:
        qs = qs.filter(actor_username=actor.strip())
    if action:
        qs = qs.filter(action__startswith=action.strip())
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    if person:
        person = person.strip()
        if connection.vendor == "postgresql":
            qs = qs.filter(person_ids__contains=[person])
        else:  # SQLite stores the JSON list as text: match the quoted element exactly
            qs = qs.filter(person_ids__icontains=f'"{person}"')
    if flagged:
        qs = qs.filter(flagged=True)
    return qs


@dataclass
class Browse:
    page: Page
    filters: dict


def browse(user, filters: dict, page_no: int = 1, page_size: int = PAGE_SIZE) -> Browse:
    """One page of records; the browse itself is audited in the same transaction."""
    require_admin(user)
    with transaction.atomic():
        paginator = Paginator(filter_records(**filters), page_size)
        page = paginator.get_page(page_no)
        page.object_list = list(page.object_list)  # read before this browse is recorded
        described = {k: str(v) for k, v in filters.items() if v}
        services.record(user, "audit.browse", query=str(described) if described else "")
        return Browse(page=page, filters=filters)


def _filters(form: AuditFilter) -> dict:
    return {k: v for k, v in form.cleaned_data.items() if k != "page"}


@require_http_methods(["GET", "POST"])
def audit_list(request):
    require_admin(request.user)
    form = AuditFilter(request.POST if request.method == "POST" else None)
    template = "audit/_records.html" if request.htmx else "audit/list.html"
    if form.is_bound and not form.is_valid():
        return render(request, template, {"form": form, "result": None})
    filters = _filters(form) if form.is_bound else {}
    page_no = (form.cleaned_data.get("page") if form.is_bound else None) or 1
    with transaction.atomic():
        return render(
            request, template, {"form": form, "result": browse(request.user, filters, page_no)}
        )


def flagged_reads(request):
    """Managers: every flagged (要注意) record on one page — reads and prints of protected
    persons by permitted staff, and every refused attempt. Browsing it is audited."""
    if not getattr(request.user, "is_manager", False):
        raise PermissionDenied(_("要注意の記録は管理職のみ閲覧できます"))
    paginator = Paginator(filter_records(flagged=True), PAGE_SIZE)
    with transaction.atomic():
        page = paginator.get_page(request.GET.get("page") or 1)
        page.object_list = list(page.object_list)
        services.record(request.user, "audit.flagged", query=f"page:{page.number}")
        return render(request, "audit/flagged.html", {"page": page})
