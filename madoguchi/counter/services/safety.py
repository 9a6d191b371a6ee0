"""Acknowledging a warning of the flow (``counter.safety``) with a reason."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import safety
from .errors import CounterError
from .visit import _commit, _lock


def acknowledge_warning(visit_id: int, version: int, actor, key: str, reason: str):
    """The clerk goes on despite a warning (``key`` as the visit shows it), for a reason
    kept in the visit (``state["acknowledged"]``) and audited. An error (an 異動日 the law
    does not accept) cannot be acknowledged: the date or the event must change. A warning
    whose content changes (another person, another date) is a new warning."""
    if not (reason or "").strip():
        raise CounterError(_("警告を確認した理由を入力してください"), "reason")
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        current = {w["key"]: w for w in safety.warnings(visit)}
        found = current.get(key)
        if found is None:
            raise CounterError(_("この警告は現在の案件にありません"), "key")
        if found["severity"] != safety.WARNING:
            raise CounterError(found["message"], found["field"])
        acks = dict((visit.state or {}).get("acknowledged") or {})
        acks[key] = {
            "code": found["code"],
            "reason": reason.strip(),
            "by": getattr(actor, "username", ""),
            "at": timezone.now().isoformat(timespec="seconds"),
        }
        visit.state = {**(visit.state or {}), "acknowledged": acks}
        _commit(visit, actor, "visit.acknowledge_warning")
    return visit
