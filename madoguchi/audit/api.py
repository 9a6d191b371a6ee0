"""Audit API (administrators only): ``GET /api/audit/records``."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from madoguchi.core.apierrors import errors

from . import views

router = Router(tags=["audit"])


class RecordFilter(Schema):
    actor: str = ""
    action: str = ""
    date_from: date | None = None
    date_to: date | None = None
    person: str = ""
    flagged: bool = False
    page: int = 1
    page_size: int = views.PAGE_SIZE


@router.get("/records", response={200: dict, **errors(400, 403)})
def records(request, filters: Query[RecordFilter]):
    data = filters.dict()
    page_no, page_size = max(1, data.pop("page")), max(1, min(data.pop("page_size"), 500))
    if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
        raise HttpError(400, "date_from: " + _("開始日が終了日より後です"))
    try:
        result = views.browse(request.user, data, page_no, page_size)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    page = result.page
    return {
        "count": page.paginator.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "records": [
            {
                "seq": r.seq,
                "at": r.at.isoformat(),
                "actor": r.actor_username,
                "action": r.action,
                "query": r.query,
                "person_ids": r.person_ids,
                "household_ids": r.household_ids,
                "flagged": r.flagged,
                "hash": r.hash,
            }
            for r in page.object_list
        ],
    }
