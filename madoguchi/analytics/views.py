"""Manager dashboard: average wait and service time per event and per hour."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from madoguchi.catalog import labels

from . import services


def dashboard(request):
    if not request.user.is_manager:
        raise PermissionDenied
    try:
        days = max(1, min(366, int(request.GET.get("days", "7"))))
    except ValueError:
        days = 7
    data = services.dashboard(days=days)
    peak = max(
        [r["avg_wait_min"] or 0 for r in data["by_hour"]]
        + [r["avg_service_min"] or 0 for r in data["by_hour"]]
        + [1]
    )
    for r in data["by_purpose"]:
        r["label"] = _("証明書の請求") if r["key"] == "certificate" else labels.event_name(r["key"])
    departments = _department_names()
    for r in data["department"]:
        r["label"] = departments.get(r["key"], r["key"])
    return render(request, "analytics/dashboard.html", {"data": data, "peak": peak, "days": days})


def _department_names() -> dict[str, str]:
    from madoguchi.catalog.labels import department_names

    return department_names()
