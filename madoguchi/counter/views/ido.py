"""The 異動 reconciliation page (docs/ido.md): each 異動 of the signed visits against the
register as last imported, the differences listed for a clerk."""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from madoguchi.tasks import handoff

from .. import ido, ido_handoff
from ..models import IdoHandOff
from .common import counter_staff


@counter_staff
def ido_page(request):
    on, days, error = _filters(request.GET)
    if error:
        messages.error(request, error)
    visit_id = _visit_filter(request.GET)  # from a visit's screen: that visit only
    # (the page shows every signed visit, 支援措置 masked: the filter only narrows it)
    visits = ido.signed_visits(on, visit_id)
    with transaction.atomic():  # the register read is audited (persons_for_reconcile)
        checks = ido.reconcile_visits(visits, request.user, timezone.localdate(), days)
    rows = [ido.check_dict(c) | {"event_name": c.row["event_name"]} for c in checks]
    listed = [r for r in rows if r["status"] in ("相違", "未反映", "要確認")]
    to_link = len({ido.person_key(c.row) for c in checks if c.new_atena and not c.masked})
    return render(
        request,
        "counter/ido.html",
        {
            "rows": rows,
            "listed": len(listed),
            "on": on,
            "days": days,
            "visit_id": visit_id,
            "fields": ido.FIELD_NAMES,
            "to_link": to_link,
            "undelivered": [_handoff_row(h) for h in ido_handoff.undelivered()[:200]],
            "route": handoff.plugin_for(IdoHandOff.ROUTE).name,
        },
    )


def _visit_filter(data) -> int | None:
    try:
        return int(data["visit"]) if data.get("visit") else None
    except ValueError:
        return None


def _filters(data) -> tuple[date | None, int, str]:
    """署名日 (和暦 as clerks type it, or 西暦) and 反映待ちの日数; the error naming the
    field the clerk must correct (the filter is then left out)."""
    from madoguchi.core.wareki import WarekiError, parse_wareki

    default = settings.MADOGUCHI_IDO_WAIT_DAYS
    on, error = None, ""
    if (data.get("date") or "").strip():
        try:
            on = parse_wareki(data["date"])
        except WarekiError as exc:
            error = _("署名日: %(e)s") % {"e": exc}
    try:
        days = max(0, int(data.get("days", default)))
    except ValueError:
        days, error = default, _("反映待ちの日数は数字で入力してください")
    return on, days, error


@counter_staff
@require_POST
def ido_link(request):
    """Record 宛名番号 on the visits' persons who had none (newborns, paper move-ins):
    every match of the conservative rule (``all``), or the candidate a clerk chose for
    one person (``visit_id``, ``pid``, ``atena_no``) — still one of its candidates."""
    on, days, _error = _filters(request.POST)
    today = timezone.localdate()
    try:
        if request.POST.get("all"):
            with transaction.atomic():
                checks = ido.reconcile_visits(ido.signed_visits(on), request.user, today, days)
                n = ido.link_matches(checks, request.user)
            messages.info(request, _("宛名番号を記録しました: %(n)s 人") % {"n": n})
        else:
            try:
                visit_id = int(request.POST.get("visit_id", ""))
            except ValueError:
                raise ido.LinkError(_("案件番号が不正です")) from None
            ido.link_choice(  # outside a transaction: a refused choice's read stays audited
                visit_id,
                request.POST.get("pid", ""),
                request.POST.get("atena_no", ""),
                request.user,
                today,
                days,
            )
            messages.info(request, _("宛名番号を記録しました: %(n)s 人") % {"n": 1})
    except ido.LinkError as exc:
        messages.error(request, str(exc))
    query = f"?days={days}" + (f"&date={on.isoformat()}" if on else "")
    return redirect(reverse("counter:ido") + query)


def _handoff_row(item) -> dict:
    """A record not delivered yet: visit, version, kind, state, the last error (no
    personal data: the error names the record and the cause)."""
    attempts = list(item.attempts.all())
    return {
        "stem": item.stem,
        "visit_id": item.visit_id,
        "record_type": item.get_record_type_display(),
        "state": item.get_handoff_state_display(),
        "attempts": len(attempts),
        "error": attempts[-1].error if attempts else "",
        "at": attempts[-1].at if attempts else item.created_at,
    }


@counter_staff
@require_POST
def ido_retry(request):
    """「連携失敗を再送」: every 異動 record not delivered yet, now."""
    res = ido_handoff.retry(force=True)
    text = _("異動記録の再送 %(n)s 件（成功 %(ok)s 件）")
    messages.info(request, text % {"n": res["retried"], "ok": res["sent"]})
    return redirect("counter:ido")
