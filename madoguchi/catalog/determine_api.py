"""Determination API (mounted at /api/rules): the same ``determine`` as the Python API and
``madoguchi determine``. It lives with the catalog because it answers from the configured
catalog; the rules themselves (``madoguchi.rules``) are pure and import no Django."""

from __future__ import annotations

from typing import Any

from ninja import Body, Router, Schema, Status

from madoguchi.core.apierrors import errors, situation_error
from madoguchi.rules.facts import EVENTS

router = Router(tags=["rules"])

EXAMPLE = {
    "event": "move_in",
    "event_date": "2027-04-01",
    "persons": [
        {
            "id": "p1",
            "relationship": "head",
            "birth_date": "1985-06-01",
            "sex": "male",
            "health_insurance": "employee",
            "pension": "2",
            "flags": ["my_number_card", "primary_earner"],
        },
        {"id": "p2", "relationship": "child", "birth_date": "2017-06-10", "sex": "male"},
    ],
}

SITUATION_DOC = (
    "A situation as defined in docs/situation.md: `event` (one of "
    + ", ".join(EVENTS)
    + "), `event_date` (YYYY-MM-DD), `persons` (id, relationship, birth_date, sex, "
    "nationality, moving, health_insurance(_before), pension(_before), flags, register) "
    "and the details of the event. Unknown keys are rejected."
)


class CatalogRef(Schema):
    municipality: str
    version: str


class ProcedureOut(Schema):
    id: str
    name: str
    department: str
    persons: list[str]
    deadline: str | None
    deadline_text: str | None = None
    forms: list[str]
    bring: list[str]
    because: list[str]


class VisitProcedureOut(ProcedureOut):
    events: list[str]


class NotApplicableOut(Schema):
    id: str
    because: str


class DetermineOut(Schema):
    event: str
    event_date: str
    catalog: CatalogRef
    procedures: list[ProcedureOut]
    not_applicable: list[NotApplicableOut]


class VisitOut(Schema):
    events: list[str]
    event_date: str
    catalog: CatalogRef
    procedures: list[VisitProcedureOut]
    not_applicable: list[NotApplicableOut]


class QuestionOut(Schema):
    question: str
    person: str | None
    asks: str
    text: str
    text_en: str


def _catalog():
    from madoguchi.catalog.loader import current_catalog

    return current_catalog()


def _situation_body(description: str):
    return Body(..., description=description, openapi_examples={"move_in": {"value": EXAMPLE}})


@router.post(
    "/determine",
    response={200: DetermineOut, **errors(422)},
    summary="必要な手続を判定する（determine）",
    description=SITUATION_DOC + " An invalid situation answers 422 with the field named.",
)
def determine_api(request, situation: dict[str, Any] = _situation_body(SITUATION_DOC)):
    from madoguchi.rules import SituationError, determine

    try:
        return Status(200, determine(situation, _catalog()))
    except SituationError as exc:
        return situation_error(exc)


class VisitIn(Schema):
    situations: list[dict[str, Any]]


@router.post(
    "/determine_visit",
    response={200: VisitOut, **errors(422)},
    summary="1回の来庁の複数の届出をまとめて判定する",
    description="Each situation is one event of the visit; the result lists each procedure once.",
)
def determine_visit_api(request, payload: VisitIn):
    from madoguchi.rules import SituationError, determine_visit

    try:
        return Status(200, determine_visit(payload.situations, _catalog()))
    except SituationError as exc:
        return situation_error(exc)


class NeededIn(Schema):
    situation: dict[str, Any]
    known: dict[str, list[str]] = {}


@router.post(
    "/needed_facts",
    response={200: list[QuestionOut], **errors(422)},
    summary="聞き取りで、まだ聞く必要のある質問",
    description="`known`: person id → flags already answered (no); `event` → details answered.",
)
def needed_facts_api(request, payload: NeededIn):
    from madoguchi.rules import SituationError, needed_facts

    try:
        return Status(200, needed_facts(payload.situation, _catalog(), payload.known))
    except SituationError as exc:
        return situation_error(exc)
