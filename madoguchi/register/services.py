"""The register's front door: every read of the register by another app goes through here.

One place applies the three rules of a register read, and writes its audit row once:

* **支援措置** (support measures for DV, stalking and abuse victims): a protected person is
  masked in lists and refused in reads for staff without ``may_see_protected``; a read
  that concerns a protected person — allowed or refused — is audited ``flagged``.
  Protection is the register's flag, which a same-day :class:`ProtectionHold` sets at
  once and every later import keeps (an import never lifts it).
* **Removed persons** (転出者, 死亡者, その他消除者) are shown and marked in searches and
  reads, but never join a visit's household.
* **Legal order** (世帯連記の記載順位) for every household.

Who may read at all: counter staff (clerks, managers, admins) always; department staff
only when their department is granted register reads (``DepartmentAccess``, off by
default). The page views and the JSON API of this app use the same functions.

The search and the person/household reads live in :mod:`madoguchi.register.search`;
this module re-exports them, so callers import one module.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from madoguchi.audit import services as audit

from .models import Person, ProtectionHold, ResidentStatus
from .search import (
    DEFAULT_LIMIT,
    MASKED_LABEL,
    HouseholdView,
    NotFound,
    Protected,
    Row,
    SearchResult,
    legal_order,
    may_see_protected,
    protected_atena_nos,
    read_card_no,
    read_household,
    read_person,
    read_person_with_household,
    search,
    with_holds,
)

__all__ = [
    "DEFAULT_LIMIT",
    "MASKED_LABEL",
    "REFUSAL",
    "HouseholdView",
    "NotFound",
    "Protected",
    "ProtectedRefused",
    "Row",
    "SearchResult",
    "current_person",
    "current_persons",
    "resident_statuses",
    "household_for_visit",
    "legal_order",
    "may_read_register",
    "may_see_protected",
    "person_for_visit",
    "persons_for_reconcile",
    "candidates_for_reconcile",
    "protected_atena_nos",
    "read_household",
    "read_card_no",
    "read_person",
    "read_person_with_household",
    "search",
    "set_protection_hold",
]

# The one message every door shows when a protected person is refused.
REFUSAL = gettext_lazy("支援措置対象者です。権限のある職員に引き継いでください")
REMOVED = (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED, ResidentStatus.OTHER_REMOVED)


class ProtectedRefused(PermissionError):
    """A protected person was refused to staff without the permission (already audited)."""

    def __init__(self):
        super().__init__(str(REFUSAL))
        self.message = str(REFUSAL)


# --------------------------------------------------------------------------- who reads


def may_read_register(user) -> bool:
    """Counter staff read the register; department staff only where their department is
    granted it (a per-department setting, off by default)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_counter_staff:
        return True
    from madoguchi.accounts.models import DepartmentAccess

    return (
        bool(user.department)
        and DepartmentAccess.objects.filter(
            department=user.department, may_read_register=True
        ).exists()
    )


def current_person(atena_no: str) -> Person | None:
    """The current record of a person (with the household), for a caller that applies
    the protection rule itself with :func:`protected_atena_nos` and audits the read with
    what it does (certificates: one row per request naming every person printed)."""
    return _current(atena_no) if (atena_no or "").strip() else None


def current_persons(atena_nos) -> dict[str, Person]:
    """The current records of several persons by 宛名番号 (missing ones left out); the
    same contract as :func:`current_person`."""
    wanted = sorted({str(a).strip() for a in atena_nos if a})
    out: dict[str, Person] = {}
    rows = (
        Person.objects.select_related("household")
        .filter(atena_no__in=wanted)
        .order_by("municipality_code", "-history_no")
    )
    for p in rows:
        out.setdefault(p.atena_no, p)
    return out


def resident_statuses(atena_nos) -> dict[str, str]:
    """The current resident status (``ResidentStatus``: 住民, 転出者 …, 転入予定) of each
    宛名番号, nothing else: the counter's check that a 転入 is not built for a person who
    already lives in the city. The visit that names them audited its read."""
    wanted = sorted({str(a).strip() for a in atena_nos if a})
    out: dict[str, str] = {}
    rows = (
        Person.objects.filter(atena_no__in=wanted)
        .order_by("municipality_code", "-history_no")
        .values_list("atena_no", "status")
    )
    for atena_no, status in rows:
        out.setdefault(atena_no, status)
    return out


# --------------------------------------------------------------------------- the counter


def _current(atena_no: str) -> Person | None:
    return (
        Person.objects.select_related("household")
        .filter(atena_no=str(atena_no).strip())
        .order_by("municipality_code", "-history_no")
        .first()
    )


def _refuse(user, action: str, query: str, persons: list[Person]) -> ProtectedRefused:
    audit.record(
        user,
        action,
        query=query,
        person_ids=[p.atena_no for p in persons],
        household_ids=sorted({p.household.household_no for p in persons}),
        flagged=True,
    )
    return ProtectedRefused()


@dataclass
class VisitHousehold:
    person: Person
    members: list[Person]  # current members (removed persons excluded), legal order
    household_no: str


def household_for_visit(atena_no: str, user, *, query: str) -> VisitHousehold:
    """The household a visit identifies by one of its members: the person and every
    current member in legal order. Refused (``ProtectedRefused``, audited flagged) when
    any of them is protected and the member of staff may not see them; otherwise audited
    once (``visit.read_household``), flagged when a protected member is read.

    Call inside the transaction that writes the visit: a refusal's audit row is written
    before the exception, so the caller must let it commit (raise after the block)."""
    person = _current(atena_no)
    if person is None:
        raise NotFound(_("宛名番号 %(a)s の住民が見つかりません") % {"a": atena_no})
    members = legal_order(person.household.members.exclude(status__in=REMOVED))
    if person not in members:
        members = [person]
    members = with_holds(members)
    protected = [m for m in members if m.support_measure]
    if protected and not may_see_protected(user):
        raise _refuse(user, "visit.identify.denied", query, members)
    audit.record(
        user,
        "visit.read_household",
        query=query,
        person_ids=[m.atena_no for m in members],
        household_ids=[person.household.household_no],
        flagged=bool(protected),
    )
    return VisitHousehold(person, members, person.household.household_no)


def person_for_visit(atena_no: str, user, *, query: str) -> Person:
    """One register person to add to a visit (e.g. the partner of a marriage): refused
    and audited flagged for a protected person and staff without the permission."""
    person = _current(atena_no)
    if person is None:
        raise NotFound(_("宛名番号 %(a)s の住民が見つかりません") % {"a": atena_no})
    (person,) = with_holds([person])
    if person.support_measure and not may_see_protected(user):
        raise _refuse(user, "visit.add_person.denied", query, [person])
    audit.record(
        user,
        "visit.read_person",
        query=query,
        person_ids=[person.atena_no],
        household_ids=[person.household.household_no],
        flagged=person.support_measure,
    )
    return person


def persons_for_reconcile(atena_nos, user, *, query: str) -> tuple[dict[str, Person], set[str]]:
    """The current records of the persons signed visits moved (the 異動 reconciliation,
    docs/ido.md): ``(atena_no -> Person, atena_nos masked)``. A protected person is
    returned only to staff with the permission; for others their number is in the masked
    set (nothing of them is read). One audit row names every person read, flagged when a
    protected person is read or masked; none when no 宛名番号 is asked for (a visit of
    newborns or paper move-ins only)."""
    wanted = sorted({str(a).strip() for a in atena_nos if str(a).strip()})
    if not wanted:
        return {}, set()  # nobody to read: no read to audit
    found: dict[str, Person] = {}
    for p in (
        Person.objects.select_related("household")
        .filter(atena_no__in=wanted)
        .order_by("atena_no", "municipality_code", "-history_no")
    ):
        found.setdefault(p.atena_no, p)
    see = may_see_protected(user)
    masked = {a for a, p in found.items() if p.support_measure and not see}
    shown = {a: p for a, p in found.items() if a not in masked}
    audit.record(
        user,
        "register.reconcile",
        query=query,
        person_ids=sorted(shown),
        household_ids=sorted({p.household.household_no for p in shown.values()}),
        flagged=bool(masked) or any(p.support_measure for p in shown.values()),
    )
    return shown, masked


def candidates_for_reconcile(
    wants: dict, user, *, query: str
) -> tuple[dict[str, list[Person]], dict[str, int]]:
    """Register persons who may be persons a signed visit added without a 宛名番号 (a
    newborn, a paper move-in) now that the core system registered them (docs/ido.md).

    ``wants``: key -> ``{"birth_date": date, "sex": "1"|"2", "name", "address",
    "household"}`` as the visit recorded them. A candidate is a current resident with the
    same birth date and sex and the same 氏名 (compared as stored, never normalised), the
    same address (address and 方書) or the same 世帯番号. Returns ``(key -> candidates,
    key -> how many candidates are masked)``: a protected candidate is returned only to
    staff with the permission. One audit row names every candidate read, flagged when a
    protected person is read or masked."""
    dates = {w["birth_date"] for w in wants.values() if w.get("birth_date")}
    current: dict[str, Person] = {}
    for p in (
        Person.objects.select_related("household")
        .filter(birth_date__in=dates, status=ResidentStatus.RESIDENT)
        .order_by("atena_no", "municipality_code", "-history_no")
    ):
        current.setdefault(p.atena_no, p)
    with_holds(current.values())
    by_birth: dict[tuple, list[Person]] = {}
    for p in current.values():
        by_birth.setdefault((p.birth_date, p.sex), []).append(p)
    see = may_see_protected(user)
    found: dict[str, list[Person]] = {}
    masked: dict[str, int] = {}
    read: set[str] = set()
    hidden = False
    for key, w in wants.items():
        for p in by_birth.get((w.get("birth_date"), w.get("sex")), []):
            if not (
                p.name == w.get("name")
                or (w.get("address") and f"{p.address}{p.katagaki}" == w["address"])
                or (w.get("household") and p.household.household_no == w["household"])
            ):
                continue
            if p.support_measure and not see:
                masked[key] = masked.get(key, 0) + 1
                hidden = True
                continue
            found.setdefault(key, []).append(p)
            read.add(p.atena_no)
    shown = [current[a] for a in sorted(read)]
    audit.record(
        user,
        "register.reconcile_candidates",
        query=query,
        person_ids=[p.atena_no for p in shown],
        household_ids=sorted({p.household.household_no for p in shown}),
        flagged=hidden or any(p.support_measure for p in shown),
    )
    return found, masked


# --------------------------------------------------------------------------- same-day hold


def set_protection_hold(atena_no: str, user, reason: str) -> ProtectionHold:
    """Protect a person now (a protection granted this morning cannot wait for tonight's
    import). Only staff with ``may_see_protected``; the reason is required and audited.
    The register's flag is set at once on every row of the person; imports keep it."""
    if not may_see_protected(user):
        raise PermissionDenied(_("支援措置の設定には閲覧権限が必要です"))
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("支援措置を設定する理由を入力してください"))
    with transaction.atomic():
        person = _current(atena_no)
        if person is None:
            raise NotFound(_("宛名番号 %(a)s の住民が見つかりません") % {"a": atena_no})
        hold = ProtectionHold.objects.create(
            atena_no=person.atena_no,
            municipality_code=person.municipality_code,
            reason=reason[:500],
            set_by=user,
        )
        Person.objects.filter(atena_no=person.atena_no).update(support_measure=True)
        audit.record(
            user,
            "register.protection_hold",
            query=person.atena_no,
            person_ids=[person.atena_no],
            household_ids=[person.household.household_no],
            flagged=True,
        )
    return hold


def apply_holds() -> int:
    """Keep every hold in force after an import wrote the register (an import never
    lifts a hold; once the import itself carries the flag, the hold changes nothing)."""
    held = ProtectionHold.objects.values_list("atena_no", flat=True)
    return Person.objects.filter(atena_no__in=held, support_measure=False).update(
        support_measure=True
    )
