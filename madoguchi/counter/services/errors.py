"""The counter's errors: bad input names its field; a stale version is a conflict."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ..models import Visit


class CounterError(Exception):
    """Bad input or a step out of order; ``field`` names what is wrong."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field
        self.message = message


class TicketForbidden(CounterError):
    """Another clerk's ticket: not handed to this clerk (403; audited flagged)."""

    def __init__(self, message: str):
        super().__init__(message, "ticket")


class TicketTaken(CounterError):
    """The ticket already has its visit (409)."""


class VisitConflict(CounterError):
    def __init__(self, visit: Visit, sent_version: int):
        super().__init__(
            _(
                "他の職員がこの案件を更新しました（版 %(sent)s → %(now)s）。"
                "入力内容は保持しています。最新の内容を確認してからもう一度保存してください。"
            )
            % {"sent": sent_version, "now": visit.version},
            "version",
        )
        self.current_version = visit.version
