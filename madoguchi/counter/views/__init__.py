"""Counter screens: ``queue`` (tickets, calling, the waiting display) and ``visit`` (the
visit screen and its steps); the visit's view models live in ``counter.viewmodels``."""

from .ido import ido_link, ido_page, ido_retry
from .queue import (
    call_next,
    display,
    display_board,
    issue,
    queue_page,
    queue_panel,
    ticket_action,
    ticket_slip,
)
from .visit import (
    addresses,
    bundle,
    countries,
    guide,
    new_visit,
    postal,
    schools,
    search,
    take_over,
    visit_action,
    visit_ido_retry,
    visit_page,
    visit_step,
    visit_tasks,
)

__all__ = [
    "bundle",
    "call_next",
    "addresses",
    "countries",
    "display",
    "display_board",
    "guide",
    "ido_link",
    "ido_page",
    "ido_retry",
    "issue",
    "ticket_slip",
    "new_visit",
    "postal",
    "queue_page",
    "queue_panel",
    "schools",
    "search",
    "take_over",
    "ticket_action",
    "visit_action",
    "visit_ido_retry",
    "visit_page",
    "visit_step",
    "visit_tasks",
]
