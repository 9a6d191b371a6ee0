"""Opaque references to persons and households for the screens' links.

A 宛名番号 or 世帯番号 in a URL path lands in proxy and browser logs (docs/permissions.md).
The screens link to ``/register/p/<ref>/``, ``/register/h/<ref>/`` and
``/certificates/new/<ref>/`` instead, where ``ref`` is a keyed hash (a random key per
session) of what it stands for, resolved through the session: meaningless outside it,
the same for the same person within it (so a page re-rendered by a poll does not write
the session), and gone with the session (an old link answers 404: search again).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

_KEY = "register_refs_key"
_MAP = "register_refs"
CAP = 2000  # references kept per session (the oldest dropped first)


def ref_for(session, kind: str, value: str) -> str:
    """The reference to ``value`` (``kind``: "person" or "household") in this session."""
    value = str(value)
    key = session.get(_KEY)
    if not key:
        key = session[_KEY] = secrets.token_hex(16)
    ref = hmac.new(key.encode(), f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:24]
    refs = session.get(_MAP) or {}
    if refs.get(ref) != [kind, value]:
        refs[ref] = [kind, value]
        while len(refs) > CAP:
            refs.pop(next(iter(refs)))
        session[_MAP] = refs
    return ref


def resolve(session, kind: str, ref: str) -> str | None:
    """What ``ref`` stands for in this session, or None (unknown, another kind)."""
    entry = (session.get(_MAP) or {}).get(str(ref))
    if entry and entry[0] == kind:
        return entry[1]
    return None


def resolve_or_404(request, kind: str, ref: str) -> str:
    """As :func:`resolve`, for a view: an unknown reference is a 404 that says why."""
    from django.http import Http404
    from django.utils.translation import gettext as _

    value = resolve(request.session, kind, ref)
    if value is None:
        raise Http404(
            _("このリンクは使えません（ログインし直した後など）。もう一度検索してください")
        )
    return value


# The routes with the identifier in the path (pages and API reads), announced for removal
# on this date (docs/permissions.md); the screens no longer link to them.
SUNSET = "Wed, 30 Jun 2027 00:00:00 GMT"


def announce_sunset(response, successor: str):
    """Mark a response of a deprecated identifier route (RFC 9745 ``Deprecation``, RFC 8594
    ``Sunset``) and name the route that replaces it."""
    response["Deprecation"] = "true"
    response["Sunset"] = SUNSET
    response["Link"] = f'<{successor}>; rel="successor-version"'
    return response
