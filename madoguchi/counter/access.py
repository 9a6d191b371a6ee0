"""Who may read or work on a visit: the one check of every visit door.

A visit is readable by the clerk who holds it (``Visit.clerk``), by managers and admins;
department staff see their own tasks (``tasks``), never the visit. Another clerk's open
visit becomes yours only when it is handed to you (its ticket called or recalled at your
counter after 回付/保留: ``hand_over``) or a supervisor gives it to you (``take_over``).

On top of that, the 支援措置 rule of the register's front door applies to the data the
visit copied from the register: a visit concerning a protected person (checked against
the live register, so a same-day hold applies to visits already open) is refused to staff
without ``may_see_protected``, with the one refusal message.

Every refusal is audited as flagged. :func:`read_visit` is the one audited read of a
visit: call it outside any ``transaction.atomic`` block of the caller, so that a refusal's
audit row is committed although the request fails.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.audit.services import record
from madoguchi.register import services as register

from .models import Visit
from .services.errors import CounterError


class VisitForbidden(CounterError):
    """The member of staff may not read or change this visit (HTTP 403)."""

    def __init__(self, message: str, action: str):
        super().__init__(message, "visit")
        self.action = action


class VisitNotFound(CounterError):
    def __init__(self):
        super().__init__(_("案件が見つかりません"), "visit")


def _atena_nos(visit: Visit) -> list[str]:
    return [a for a in visit.persons.values_list("atena_no", flat=True) if a]


def protected_in(visit: Visit) -> set[str]:
    return register.protected_atena_nos(_atena_nos(visit))


def holds(user, visit: Visit) -> bool:
    return visit.clerk_id is not None and visit.clerk_id == user.pk


def refusal(user, visit: Visit) -> VisitForbidden | None:
    """Why ``user`` may not have this visit, or None."""
    if not getattr(user, "is_counter_staff", False):
        return VisitForbidden(_("窓口職員のみ利用できます"), "visit.denied")
    # 支援措置 first: whoever holds the visit, staff without the permission get the one
    # refusal message that tells them to hand over to permitted staff.
    if not register.may_see_protected(user) and protected_in(visit):
        return VisitForbidden(str(register.REFUSAL), "visit.protected.denied")
    if not (holds(user, visit) or user.is_manager):
        return VisitForbidden(
            _("他の職員が対応中の案件です。回付・保留で引き継ぐか、責任者に依頼してください"),
            "visit.denied",
        )
    return None


def check(user, visit: Visit) -> None:
    """Raise ``VisitForbidden`` (not audited: the door that called ``read_visit`` did)."""
    exc = refusal(user, visit)
    if exc is not None:
        raise exc


def read_visit(visit_id: int, user, *, audit_read: bool = True) -> Visit:
    """The one audited read of a visit: the visit, or ``VisitNotFound`` /
    ``VisitForbidden`` (its flagged audit row already committed).

    A granted read is audited ``visit.read`` naming the register persons it shows,
    flagged when one of them is protected; ``audit_read=False`` for doors that show no
    personal data (the step poll, the postal lookup)."""
    visit = Visit.objects.select_related("ticket").filter(pk=visit_id).first()
    if visit is None:
        raise VisitNotFound()
    exc = refusal(user, visit)
    if exc is None and not audit_read:
        # No write (and no transaction): on SQLite an IMMEDIATE transaction takes the
        # write lock, and these doors are polled (the task states, the step).
        return visit
    atena = _atena_nos(visit)
    with transaction.atomic():
        if exc is not None:
            record(user, exc.action, query=f"visit:{visit.pk}", person_ids=atena, flagged=True)
        else:
            record(
                user,
                "visit.read",
                query=f"visit:{visit.pk}",
                person_ids=atena,
                flagged=bool(register.protected_atena_nos(atena)),
            )
    if exc is not None:
        raise exc
    return visit


def hand_over(visit: Visit, actor, how: str) -> None:
    """The visit's ticket was called at ``actor``'s counter after 回付/保留: the visit is
    theirs now (audited)."""
    if visit.clerk_id == getattr(actor, "pk", None):
        return
    previous = visit.clerk.username if visit.clerk_id else ""
    visit.clerk = actor
    visit.save(update_fields=["clerk"])
    record(actor, "visit.handover", query=f"visit:{visit.pk} {how} from:{previous}")


def take_over(visit_id: int, supervisor, to_username: str = "") -> Visit:
    """A supervisor (manager or admin) gives an open visit to themselves or to a clerk.
    A visit concerning a protected person goes only between staff with the permission.
    A refusal raised inside the transaction is not audited here: the HTML view and the
    API audit it after the block (``audit_refusal``)."""
    from django.contrib.auth import get_user_model

    from .models import VisitStep

    if not getattr(supervisor, "is_manager", False):
        raise VisitForbidden(_("引継ぎは責任者のみ行えます"), "visit.takeover.denied")
    with transaction.atomic():
        visit = Visit.objects.select_for_update().filter(pk=visit_id).first()
        if visit is None:
            raise VisitNotFound()
        if visit.step in (VisitStep.DONE, VisitStep.CANCELLED):
            raise CounterError(_("完了した案件は引き継げません"), "step")
        target = supervisor
        if to_username:
            target = get_user_model().objects.filter(username=to_username, is_active=True).first()
            if target is None or not target.is_counter_staff:
                raise CounterError(_("引継ぎ先の窓口職員が見つかりません"), "to")
        if protected_in(visit) and not (
            register.may_see_protected(supervisor) and register.may_see_protected(target)
        ):
            raise VisitForbidden(str(register.REFUSAL), "visit.takeover.denied")
        previous = visit.clerk.username if visit.clerk_id else ""
        visit.clerk = target
        visit.version += 1
        visit.save(update_fields=["clerk", "version"])
        record(
            supervisor,
            "visit.takeover",
            query=f"visit:{visit.pk} from:{previous} to:{target.username}",
            person_ids=_atena_nos(visit),
        )
    return visit


def audit_refusal(user, visit_id: int, exc: VisitForbidden) -> None:
    """Write the flagged audit row of a refusal raised inside a rolled-back block."""
    visit = Visit.objects.filter(pk=visit_id).first()
    atena = _atena_nos(visit) if visit is not None else []
    with transaction.atomic():
        record(user, exc.action, query=f"visit:{visit_id}", person_ids=atena, flagged=True)
