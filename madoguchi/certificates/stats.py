"""Figures of the certificate counter for managers: certificates per kind and per hour of
issue, fees per day (from the issued records and voids), and the waiting and service
time of certificate tickets (the counter's time segments, as the analytics dashboard
computes them)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta

from django.utils import timezone

from madoguchi.analytics.dashboard import build

from .models import ActionKind, Certificate, CertificateAction


def figures(days: int = 7, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    since = today - timedelta(days=days - 1)
    certs = Certificate.objects.filter(issued_on__gte=since, issued_on__lte=today)
    per_kind: dict[str, dict] = {}
    per_hour: dict[int, int] = defaultdict(int)
    per_day: dict[date, dict] = {
        since + timedelta(days=i): {"issued": 0, "fees": 0, "refunds": 0} for i in range(days)
    }
    for c in certs.only("kind", "kind_name", "copies", "fee", "issued_at", "issued_on"):
        row = per_kind.setdefault(
            c.kind, {"id": c.kind, "kind": c.kind_name, "count": 0, "copies": 0, "fees": 0}
        )
        row["count"] += 1
        row["copies"] += c.copies
        row["fees"] += c.fee
        per_hour[timezone.localtime(c.issued_at).hour] += 1
        per_day[c.issued_on]["issued"] += 1
        per_day[c.issued_on]["fees"] += c.fee
    for v in CertificateAction.objects.filter(
        action=ActionKind.VOID, on__gte=since, on__lte=today
    ).only("on", "refund"):
        per_day[v.on]["refunds"] += v.refund
    events = build(since, today, today=today).table("events")
    times = next((r for r in events.rows if r["key"] == "certificate"), None) if events else None
    return {
        "days": days,
        "since": since,
        "per_kind": sorted(per_kind.values(), key=lambda r: -r["count"]),
        "per_hour": [{"hour": h, "count": per_hour[h]} for h in sorted(per_hour)],
        "per_day": [
            {"day": d, **v, "net": v["fees"] - v["refunds"]} for d, v in sorted(per_day.items())
        ],
        "times": times,
    }
