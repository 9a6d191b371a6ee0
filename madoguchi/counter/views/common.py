"""What every counter screen shares: the staff check, timing, the event list."""

from __future__ import annotations

import time
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _


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
