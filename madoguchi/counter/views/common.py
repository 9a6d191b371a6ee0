"""What every counter screen shares: the staff check, timing, the event list."""

from __future__ import annotations

import time
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from .. import access


def counter_staff(view):
    """Counter pages are for counter staff (clerks, managers, admins), not departments."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_counter_staff:
            raise PermissionDenied(_("窓口職員のみ利用できます"))
        return view(request, *args, **kwargs)

    return wrapper


def timed(view):
    """Add a Server-Timing header (the benchmark reads the server time per step)."""

    def wrapper(request, *args, **kwargs):
        start = time.perf_counter()
        resp = view(request, *args, **kwargs)
        resp["Server-Timing"] = f"app;dur={(time.perf_counter() - start) * 1000:.1f}"
        return resp

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def visit_door(audit_read: bool = True):
    """Every visit URL enters here: the one audited read of the visit
    (``access.read_visit``); the view receives the visit instead of its id.
    Unknown id → 404; not yours, or a protected person without the permission → 403
    with the reason (the refusal is audited flagged)."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, visit_id: int, *args, **kwargs):
            try:
                visit = access.read_visit(visit_id, request.user, audit_read=audit_read)
            except access.VisitNotFound as exc:
                raise Http404(exc.message) from None
            except access.VisitForbidden as exc:
                return refused(request, exc.message)
            return view(request, visit, *args, **kwargs)

        return wrapper

    return decorate


def refused(request, message: str):
    """The refusal page (403): the reason, and that the attempt was recorded."""
    return render(request, "refused.html", {"message": message}, status=403)
