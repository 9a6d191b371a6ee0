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
    for v in CertificateAction.objects.filter(  # voids and copies not delivered
        action__in=(ActionKind.VOID, ActionKind.REFUND), on__gte=since, on__lte=today
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


def dashboard_tables(start: date, end: date, group: str = "") -> list:
    """The certificate tables of the manager dashboard (``analytics.sections``): per kind
    the certificates issued, copies, fees taken, refunds and the net; per day the same
    with the refused requests. Counts and amounts only (no person, no 宛名番号). All
    counters: the counter-group filter of the dashboard does not apply to them."""
    from django.db.models import Count, Sum
    from django.utils.translation import gettext as _

    from madoguchi.analytics.dashboard import Table
    from madoguchi.audit.models import AuditRecord

    from .catalog import current

    cat = current()
    certs = Certificate.objects.filter(issued_on__gte=start, issued_on__lte=end)
    refunds = CertificateAction.objects.filter(
        on__gte=start, on__lte=end, action__in=(ActionKind.VOID, ActionKind.REFUND)
    )
    kinds: dict[str, dict] = {}

    def kind_row(kid: str, name: str) -> dict:
        return kinds.setdefault(
            kid,
            {
                "kind": cat.kind_label(kid, name),
                "count": 0,
                "copies": 0,
                "fees": 0,
                "refunds": 0,
            },
        )

    for r in certs.values("kind", "kind_name").annotate(
        n=Count("id"), copies=Sum("copies"), fees=Sum("fee")
    ):
        row = kind_row(r["kind"], r["kind_name"])
        row["count"] += r["n"]
        row["copies"] += r["copies"] or 0
        row["fees"] += r["fees"] or 0
    for r in refunds.values("certificate__kind", "certificate__kind_name").annotate(
        amount=Sum("refund")
    ):
        kind_row(r["certificate__kind"], r["certificate__kind_name"])["refunds"] += r["amount"] or 0
    order = {k: i for i, k in enumerate(cat.kinds)}
    per_kind = [
        {**row, "net": row["fees"] - row["refunds"]}
        for kid, row in sorted(kinds.items(), key=lambda kv: order.get(kv[0], 99))
    ]
    days: dict[date, dict] = {}
    d = start
    while d <= end:
        days[d] = {"date": d.isoformat(), "count": 0, "fees": 0, "refunds": 0, "refused": 0}
        d += timedelta(days=1)
    for r in certs.values("issued_on").annotate(n=Count("id"), fees=Sum("fee")):
        days[r["issued_on"]]["count"] += r["n"]
        days[r["issued_on"]]["fees"] += r["fees"] or 0
    for r in refunds.values("on").annotate(amount=Sum("refund")):
        days[r["on"]]["refunds"] += r["amount"] or 0
    refused = AuditRecord.objects.filter(
        action="certificates.refused", at__date__gte=start, at__date__lte=end
    ).values_list("at", flat=True)
    for at in refused:
        day = timezone.localdate(at)
        if day in days:
            days[day]["refused"] += 1
    per_day = [
        {**v, "net": v["fees"] - v["refunds"]}
        for v in days.values()
        if any(v[k] for k in ("count", "refunds", "refused"))
    ]
    money = [("fees", _("手数料")), ("refunds", _("返金")), ("net", _("差引"))]
    return [
        Table(
            "certificates",
            _("証明書の交付（種類別）"),
            [("kind", _("種類")), ("count", _("件数")), ("copies", _("通数")), *money],
            per_kind,
            note=_(
                "全窓口の交付（窓口グループの指定によりません）。返金は取消と交付しなかった通数。"
            ),
        ),
        Table(
            "certificates_daily",
            _("証明書の交付（日別）"),
            [("date", _("日付")), ("count", _("件数")), *money, ("refused", _("拒否した請求"))],
            per_day,
        ),
    ]
