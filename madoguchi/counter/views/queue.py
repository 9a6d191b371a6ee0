"""Queue screens: the clerk's queue, issuing and calling tickets, the waiting display."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import services
from ..models import CounterGroup, Ticket, TicketStatus
from ..viewmodels import event_choices as _events
from .common import counter_staff
from .common import timed as _timed


def _counter_no(request) -> str:
    return request.session.get("counter_no", "1")


def _group(request) -> str:
    g = request.session.get("counter_group", CounterGroup.ONESTOP)
    return g if g in CounterGroup.values else CounterGroup.ONESTOP


def _queue_context(request) -> dict:
    group = _group(request)
    mine = (
        Ticket.objects.filter(
            called_by=request.user,
            status__in=[TicketStatus.CALLED, TicketStatus.IN_SERVICE, TicketStatus.HELD],
        )
        .select_related("visit")
        .order_by("-called_at")
    )
    # 保留 handed to this counter by another clerk: recalled here, the visit becomes theirs
    handed = (
        Ticket.objects.filter(status=TicketStatus.HELD, counter_no=_counter_no(request))
        .exclude(called_by=request.user)
        .filter(issued_on=timezone.localdate())
        .order_by("number")
    )
    return {
        "group": group,
        "groups": CounterGroup.choices,
        "handed": handed,
        "counter_no": _counter_no(request),
        "waiting": list(services.waiting(group)[:30]),
        "mine": mine,
        "events": _events(),
        "purpose_names": {**dict(_events()), "certificate": _("証明書の請求")},
        "last_ticket": Ticket.objects.filter(pk=request.session.get("last_ticket")).first(),
    }


@counter_staff
def queue_page(request):
    if request.GET.get("group") in CounterGroup.values:
        request.session["counter_group"] = request.GET["group"]
    if request.GET.get("counter_no", "").strip():
        request.session["counter_no"] = request.GET["counter_no"].strip()[:8]
    return render(request, "counter/queue.html", _queue_context(request))


@counter_staff
def queue_panel(request):
    return render(request, "counter/_queue_panel.html", _queue_context(request))


@require_POST
@counter_staff
def issue(request):
    try:
        t = services.issue_ticket(request.POST.get("purpose", ""), None, request.user)
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    from django.contrib import messages

    messages.success(request, _("受付番号 %(n)s を発券しました") % {"n": t.display_no})
    request.session["last_ticket"] = t.pk  # the queue screen offers its slip to print
    return redirect("counter:queue")


@counter_staff
def ticket_slip(request, ticket_id: int):
    """The printable slip handed to the resident: number, purpose, time of issue, the
    municipality — nothing about the person (a ticket knows nothing about them)."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise Http404
    from madoguchi.catalog.loader import current_catalog

    purposes = {**dict(_events()), "certificate": _("証明書の請求")}
    return render(
        request,
        "counter/slip.html",
        {
            "ticket": ticket,
            "purpose": purposes.get(ticket.purpose, ticket.purpose),
            "municipality": current_catalog().name,
        },
    )


@_timed
@require_POST
@counter_staff
def call_next(request):
    try:
        t = services.call_next(request.user, _group(request), _counter_no(request))
    except services.CounterError as exc:
        return HttpResponseBadRequest(exc.message)
    if t is None:
        from django.contrib import messages

        messages.info(request, _("お待ちの方はいません"))
        return redirect("counter:queue")
    t = Ticket.objects.select_related("visit").get(pk=t.pk)
    if hasattr(t, "visit"):
        return redirect("counter:visit", visit_id=t.visit.pk)
    if t.purpose == services.CERTIFICATE:  # the certificate request flow
        return redirect(f"{reverse('certificates:index')}?ticket={t.pk}")
    return redirect("counter:queue")


TICKET_ACTIONS = {
    "recall": lambda t, r: services.recall(t, r.user, _counter_no(r)),
    "hold": lambda t, r: services.hold(t, r.user, r.POST.get("to_counter", "")),
    "transfer": lambda t, r: services.transfer(t, r.POST.get("group", ""), r.user),
    "complete": lambda t, r: services.complete_certificate(t, r.user),
}


@require_POST
@counter_staff
def ticket_action(request, ticket_id: int, action: str):
    func = TICKET_ACTIONS.get(action)
    if func is None:
        raise Http404
    try:
        func(ticket_id, request)
    except services.TicketForbidden as exc:  # audited flagged by the service
        return render(request, "refused.html", {"message": exc.message}, status=403)
    except services.CounterError as exc:
        from django.contrib import messages

        messages.error(request, exc.message)
    nxt = request.POST.get("next", "")
    return redirect(nxt if nxt.startswith("/counter/") else reverse("counter:queue"))


@login_not_required
def display(request):
    return render(request, "counter/display.html", {"board": services.display_board()})


@login_not_required
def display_board(request):
    return render(request, "counter/_board.html", {"board": services.display_board()})


# ------------------------------------------------------------------ visit
