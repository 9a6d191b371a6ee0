"""The 異動 reconciliation page (docs/ido.md): each 異動 of the signed visits against the
register as last imported, the differences listed for a clerk."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.shortcuts import render
from django.utils import timezone

from .. import ido
from .common import counter_staff


@counter_staff
def ido_page(request):
    try:
        on = date.fromisoformat(request.GET.get("date", "")) if request.GET.get("date") else None
    except ValueError:
        on = None
    try:
        days = max(0, int(request.GET.get("days", "3")))
    except ValueError:
        days = 3
    with transaction.atomic():  # the register read is audited (persons_for_reconcile)
        checks = ido.reconcile_visits(
            ido.signed_visits(on), request.user, timezone.localdate(), days
        )
    rows = [ido.check_dict(c) | {"event_name": c.row["event_name"]} for c in checks]
    listed = [r for r in rows if r["status"] in ("相違", "未反映", "要確認")]
    return render(
        request,
        "counter/ido.html",
        {"rows": rows, "listed": len(listed), "on": on, "days": days, "fields": ido.FIELD_NAMES},
    )
