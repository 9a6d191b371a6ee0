"""The catalog as loaded: departments, events, versioned parameters, conditions and
procedures, questions and forms, and the view of what is in force on one date."""

from __future__ import annotations

import bisect
import functools
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from madoguchi.rules import facts as F
from madoguchi.rules.deadlines import COUNTINGS, deadline_date

FAR_FUTURE = date(9999, 12, 31)
FILES = ("catalog.yaml", "departments.yaml", "events.yaml", "parameters.yaml", "rules.yaml")
DEADLINE_COUNTING = COUNTINGS
# parameters every catalog must give (the rules read them): id -> what it is
AGE_PARAMETERS = {
    "child_medical_age_limit": "子ども医療費助成の対象年齢",
    "child_allowance_age_limit": "児童手当の対象年齢（2024-10-01 から18、その前は15）",
}
QUESTION_PERSONS = ("moving", "all", "couple", "deceased", "mother", "newborn", "event")


@dataclass
class Issue:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CatalogError(Exception):
    def __init__(self, issues: list[Issue]):
        self.issues = issues
        super().__init__("\n".join(str(i) for i in issues))


@dataclass
class Versioned:
    id: str
    valid_from: date
    valid_to: date | None
    file: str
    line: int

    def in_force(self, d: date) -> bool:
        return self.valid_from <= d and (self.valid_to is None or d <= self.valid_to)


@dataclass
class Department:
    id: str
    name: str
    place: str
    handles: str
    en: dict
    raw: dict


@dataclass
class AdvanceWindow(Versioned):
    """How many days before the event its notification may be made, from a date (the
    event's ``advance_window_days`` in events.yaml; ``rules.deadlines`` reads it)."""

    days: int = 0


@dataclass
class Event:
    id: str
    name: str
    en: dict
    raw: dict
    # the dated advance windows (転出: about 14 days); none: notified after the event
    advance_windows: list[AdvanceWindow] = field(default_factory=list)


@dataclass
class Condition(Versioned):
    label: str = ""
    label_no: str = ""
    logic: Any = None
    rule: Any = None  # compiled datalogic rule
    scope: str = "person"  # person | event (reads no person.* fact)
    reads: frozenset = frozenset()  # facts read: person facts by name, event facts as event.X
    raw: dict = field(default_factory=dict)
    # determine's witness plan of a household condition, made on first use and kept with
    # the condition it belongs to (rules.engine)
    witness_plan: list | None = field(default=None, repr=False, compare=False)


@dataclass
class Parameter(Versioned):
    value: Any = None
    label: str = ""
    raw: dict = field(default_factory=dict)


@dataclass
class Trigger:
    events: tuple[str, ...]  # () means every event
    when: tuple[tuple[str, bool], ...]  # (condition id, negated)
    name: str | None = None
    en_name: str | None = None
    deadline: dict = field(default_factory=dict)  # replaces the procedure's for this trigger

    def for_event(self, event: str) -> bool:
        return not self.events or event in self.events


@dataclass
class Procedure(Versioned):
    name: str = ""
    department: str = ""
    scope: str = "person"
    forms: list[str] = field(default_factory=list)
    no_form: str | None = None
    bring: list[str] = field(default_factory=list)
    deadline: dict = field(default_factory=dict)  # days | months, counting, from, text
    legal_basis: str = ""
    triggers: list[Trigger] = field(default_factory=list)
    en: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict)
    # also decided for a person outside every household of the city where the law makes
    # this city act (死亡届 at the place of death, 火葬許可 where the 届 is made)
    applies_outside: bool = False
    # the department lets the counter complete it (同席 or the clerk on the spot); per
    # version, so a department may allow it from a date (docs/catalog.md)
    counter_completion: bool = False

    def deadline_date(self, event_date: date, situation: dict | None = None) -> date | None:
        """The last day for a situation (madoguchi.rules.deadlines)."""
        return deadline_date(self.deadline, situation or {"event_date": event_date})


@dataclass
class Question:
    id: str
    events: tuple[str, ...]
    asks: str  # a person fact/flag, or event.<detail>
    persons: str
    text: str
    en: dict
    raw: dict


@dataclass
class Catalog:
    path: Path
    municipality: str
    name: str
    code: str
    meta: dict
    departments: dict[str, Department]
    events: dict[str, Event]
    parameters: dict[str, list[Parameter]]
    conditions: dict[str, list[Condition]]
    exclusions: list[dict]
    procedures: dict[str, list[Procedure]]  # catalog order
    questions: list[Question]
    forms: dict[str, dict]
    files: dict[str, Any] = field(default_factory=dict)  # raw YAML per relative file
    # The published version's label (catalog/versions.py); "" for a folder read directly.
    label: str = ""

    # --- lookups --------------------------------------------------------------------
    def procedure(self, proc_id: str, on: date | None = None) -> Procedure:
        versions = self.procedures[proc_id]
        d = on or date.today()
        for v in versions:
            if v.in_force(d):
                return v
        return versions[-1]

    def department(self, dept_id: str) -> Department:
        return self.departments[dept_id]

    def at(self, d: date) -> CatalogView:
        """The catalog in force on ``d`` (one view per period between version changes)."""
        bounds = self.__dict__.get("_bounds")
        if bounds is None:
            points = set()
            for group in (self.procedures, self.conditions, self.parameters):
                for versions in group.values():
                    for v in versions:
                        points.add(v.valid_from)
                        if v.valid_to is not None and v.valid_to < FAR_FUTURE:
                            points.add(v.valid_to + timedelta(days=1))
            bounds = self.__dict__["_bounds"] = sorted(points)
        period = bisect.bisect_right(bounds, d)
        views = self.__dict__.setdefault("_views", {})
        view = views.get(period)
        if view is None:
            view = views[period] = CatalogView(self, d)
        return view


def _pick(versions: list, d: date):
    for v in versions:
        if v.in_force(d):
            return v
    return None


@functools.lru_cache(maxsize=1)
def value_names() -> dict[str, dict[str, str]]:
    """fact → {value: the words an explanation uses}: a nationality by the country list's
    name (朝鮮, 無国籍; ``core.countries``), never its code; "" is the words for a value
    not in the list."""
    from madoguchi.core import countries

    names = {c.code: c.name for c in countries.countries()}
    names[countries.UNKNOWN] = "不明"
    names[""] = "一覧にない国籍・地域"
    return {"nationality": names}


class CatalogView:
    """The catalog in force on one date: what ``determine`` evaluates."""

    def __init__(self, catalog: Catalog, d: date):
        self.catalog = catalog
        self.procedures = [
            p for vs in catalog.procedures.values() if (p := _pick(vs, d)) is not None
        ]
        self.conditions = {
            cid: c for cid, vs in catalog.conditions.items() if (c := _pick(vs, d)) is not None
        }
        self.parameters = {
            pid: p.value for pid, vs in catalog.parameters.items() if (p := _pick(vs, d))
        }
        self.value_names = value_names()
        # the label of each parameter version, for explanations ({param_<id>})
        self.parameter_labels = {
            pid: p.label for pid, vs in catalog.parameters.items() if (p := _pick(vs, d))
        }
        froms = [x.valid_from for x in (*self.procedures, *self.conditions.values())] + [
            p.valid_from for vs in catalog.parameters.values() if (p := _pick(vs, d))
        ]
        self.version = max(froms).isoformat() if froms else d.isoformat()
        self.plans: dict[str, list[tuple[Procedure, list[Trigger]]]] = {}
        for event in F.EVENTS:
            plan = []
            for p in self.procedures:
                trig = [t for t in p.triggers if t.for_event(event)]
                if trig:
                    plan.append((p, trig))
            self.plans[event] = plan
