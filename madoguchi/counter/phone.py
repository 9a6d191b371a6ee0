"""The visit's contact phone, prefilled where it is already known.

Every form prints the one contact phone of the visit (``state.contact_phone``, captured
once: ``counter.capture``). It is known before anyone asks in two cases:

- a pending move-in whose 転入予約 (マイナポータル 引越しワンストップ) gave a
  連絡先電話番号 (``Person.phone``, read through the pending import mapping);
- a resident who gave one at an earlier visit: the phone of the last signed visit in
  which the person now identified took part.

The value is written to the visit with where it came from (``state.contact_phone_source``)
so the screen marks it (「転入予約より」, 「前回の来庁（令和9年3月1日）より」) and the clerk
only confirms it with the resident; it stays editable, and an edited phone loses the mark.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

RESERVATION = "reservation"
LAST_VISIT = "last_visit"


def _valid(raw: str) -> str:
    from . import capture
    from .services.errors import CounterError

    try:
        return capture.clean("phone", raw or "", "visit.phone", "")
    except CounterError:
        return ""  # a number the import kept but the counter would refuse: asked instead


def known_phone(visit, person, members) -> tuple[str, dict]:
    """(phone, source) for the visit that has just identified ``person`` (with the
    household ``members``); ("", {}) when nothing is known."""
    from .models import Visit, VisitStep

    if person.status == "P":
        for m in [person, *[m for m in members if m.pk != person.pk]]:
            phone = _valid(m.phone)
            if phone:
                return phone, {"from": RESERVATION}
        return "", {}
    recent = (
        Visit.objects.filter(
            municipality_code=visit.municipality_code,
            step=VisitStep.DONE,
            persons__atena_no=person.atena_no,
            state__has_key="contact_phone",
        )
        .exclude(pk=visit.pk)
        .order_by("-signed_at", "-pk")
        .only("state", "signed_at")
        .prefetch_related("persons")[:20]
    )
    # the phone of a visit is its 届出人's: only a visit this person notified counts
    earlier = next((v for v in recent if _notifier_atena(v) == person.atena_no), None)
    if earlier is None:
        return "", {}
    phone = _valid(str(earlier.state.get("contact_phone") or ""))
    if not phone:
        return "", {}
    from django.utils import timezone

    on = timezone.localdate(earlier.signed_at).isoformat() if earlier.signed_at else ""
    return phone, {"from": LAST_VISIT, "on": on}


def _notifier_atena(visit) -> str:
    """The 宛名番号 of who came to an earlier visit: its applicant, else its head."""
    persons = list(visit.persons.all())
    chosen = ((visit.state or {}).get("applicant") or {}).get("person")
    who = next((p for p in persons if p.pid == chosen), None) if chosen else None
    if who is None and not ((visit.state or {}).get("applicant") or {}).get("name"):
        who = next((p for p in persons if p.data.get("relationship") == "head"), None)
    return who.atena_no if who is not None else ""


def prefill(visit, person, members) -> None:
    """Put the known phone into the visit's state (unless one is there already)."""
    state = dict(visit.state or {})
    if state.get("contact_phone"):
        return
    phone, source = known_phone(visit, person, members)
    if phone:
        state["contact_phone"] = phone
        state["contact_phone_source"] = source
        visit.state = state


def source_text(source: dict | None) -> str:
    """The mark shown beside a prefilled phone."""
    from madoguchi.core.wareki import format_wareki

    if not source:
        return ""
    if source.get("from") == RESERVATION:
        return _("転入予約（マイナポータル）より")
    if source.get("from") == LAST_VISIT:
        from datetime import date

        on = source.get("on")
        if on:
            return _("前回の来庁（%(d)s）より") % {"d": format_wareki(date.fromisoformat(on))}
        return _("前回の来庁より")
    return ""
