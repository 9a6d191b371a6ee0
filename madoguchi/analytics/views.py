"""Manager dashboard: average wait and service time per event and per hour."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render

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
    return render(request, "analytics/dashboard.html", {"data": data, "peak": peak, "days": days})
