"""Counter business actions: one function per action, each in one transaction.

``queue``: tickets, calling (``call_next``), ``recall``, ``hold``, ``transfer``, the
display board. ``visit``: the visit's steps from ``open_visit`` to ``mark_signed``.
``errors``: ``CounterError`` and ``VisitConflict``. Callers import this package; the
names below are its public surface.
"""

from .atcounter import set_at_counter
from .entry import (
    NEWBORN_DETAILS,
    OUTSIDE_PARENT,
    add_newborn,
    capture,
    counter_date,
    set_foreign_resident,
)
from .errors import CounterError, TicketForbidden, TicketTaken, VisitConflict
from .households import set_households, set_new_name
from .printing import guide_pdf
from .queue import (
    CERTIFICATE,
    call_next,
    complete_certificate,
    display_board,
    finish_ticket,
    hold,
    issue_ticket,
    recall,
    transfer,
    valid_purposes,
    waiting,
)
from .safety import acknowledge_warning
from .undo import cancel_signed_visit, remove_person, restore_procedure, withdraw_procedure
from .visit import (
    DATE_DETAILS,
    EDITABLE,
    PAPER_FIELDS,
    add_paper_persons,
    add_person,
    answer,
    bundle_pdf,
    cancel_visit,
    confirm,
    confirm_facts,
    edit_fact,
    identify,
    mark_signed,
    open_visit,
    postal_candidates,
    set_address,
    set_applicant,
    set_event_details,
    set_events,
    set_guide_english,
    set_involved,
    set_parents,
)

__all__ = [
    "acknowledge_warning",
    "capture",
    "set_foreign_resident",
    "NEWBORN_DETAILS",
    "OUTSIDE_PARENT",
    "add_newborn",
    "counter_date",
    "guide_pdf",
    "DATE_DETAILS",
    "CERTIFICATE",
    "EDITABLE",
    "PAPER_FIELDS",
    "CounterError",
    "VisitConflict",
    "TicketTaken",
    "TicketForbidden",
    "add_paper_persons",
    "add_person",
    "answer",
    "bundle_pdf",
    "call_next",
    "cancel_visit",
    "complete_certificate",
    "confirm",
    "confirm_facts",
    "display_board",
    "edit_fact",
    "finish_ticket",
    "hold",
    "identify",
    "issue_ticket",
    "mark_signed",
    "open_visit",
    "postal_candidates",
    "recall",
    "set_address",
    "set_event_details",
    "set_events",
    "set_applicant",
    "set_at_counter",
    "cancel_signed_visit",
    "remove_person",
    "restore_procedure",
    "withdraw_procedure",
    "set_guide_english",
    "set_households",
    "set_new_name",
    "set_involved",
    "set_parents",
    "transfer",
    "valid_purposes",
    "waiting",
]
