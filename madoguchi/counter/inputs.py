"""Each visit step's input, defined once: the schema, the service it calls, and how an
HTML form fills the schema. The JSON API (``api.py``) and the visit screen
(``views/visit.py``) are both generated from :data:`STEPS`, so a field added to a step
reaches both doors, and both validate the same way.

A step has one name (the API path, e.g. ``paper-persons``, ``facts``); the screen's
older action names (``paper``, ``fact`` …) are kept as aliases so that bookmarked forms
and scripts keep working.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, ValidationError

from madoguchi.core.apitypes import WarekiDate

from . import services


class Versioned(Schema):
    version: int


class IdentifyIn(Versioned):
    atena_no: str


class PersonIn(Versioned):
    atena_no: str
    relationship: str = ""
    reason: str = ""


class PaperPerson(Schema):
    name: str = ""
    kana: str = ""
    birth_date: str = ""
    sex: str = ""
    relationship: str = ""
    nationality: str = "JP"
    health_insurance: str = ""
    pension: str = ""


class PaperIn(Versioned):
    persons: list[PaperPerson]
    former_address: str = ""
    former_postal_code: str = ""


class InvolvedIn(Versioned):
    pids: list[str]


class ParentsIn(Versioned):
    pid: str
    parents: list[str] = []


class ApplicantIn(Versioned):
    applicant: str = ""  # a pid of the visit, "outside", or "" for the default
    applicant_name: str = ""
    applicant_relationship: str = ""
    applicant_address: str = ""


class EventsIn(Versioned):
    events: list[str]
    event_date: WarekiDate = None  # 和暦 or 西暦 as typed (R9.3.29, 令和9年3月29日, 5090329)


class DetailsIn(Versioned):
    event: str
    details: dict


class AddressIn(Versioned):
    postal_code: str
    town_index: int = 0
    town: str = ""  # the 町域 by name (the address picker); wins over town_index
    banchi: str
    katagaki: str = ""


class FactIn(Versioned):
    pid: str
    field: str
    value: str | None
    reason: str


class AnswersIn(Versioned):
    flags: dict[str, dict[str, bool]]


class SignIn(Versioned):
    id_document: str
    at_counter: list[str] = []


class AtCounterIn(Versioned):
    procedure: str
    status: str = ""  # done (窓口で完了), in_progress (窓口で対応中), "" clears the mark
    staff: str = ""  # the login name of who did it / is present (blank: the clerk)


class GuideLanguageIn(Versioned):
    english: bool = False


class CancelIn(Versioned):
    reason: str


class AcknowledgeIn(Versioned):
    key: str  # the warning's key, as the visit shows it (counter.safety)
    reason: str


class HouseholdsIn(Versioned):
    after: dict[str, str] = {}  # pid -> "" (stays), a 世帯番号 of the visit, or new1 …
    heads: list[str] = []  # pids who head their household after the event
    zokugara_after: dict[str, str] = {}  # pid -> 続柄 to the new head (blank: derived)
    zokugara_reason: dict[str, str] = {}  # pid -> why the 続柄 differs from the derived one


class RemovePersonIn(Versioned):
    pid: str
    reason: str


class WithdrawIn(Versioned):
    procedure: str
    reason: str


class RestoreIn(Versioned):
    procedure: str


class NewNameIn(Versioned):
    pid: str
    surname: str = ""
    surname_kana: str = ""
    honseki: str = ""
    hittousha: str = ""


class ForeignIn(Versioned):
    pid: str
    nationality: str = Field(
        "",
        description=(
            "国籍・地域 from the list (core/data/countries.csv): a code (VN, VNM, 704; XC 朝鮮, "
            "XS 無国籍), the name as the 在留カード writes it (ベトナム, 米国), its reading "
            "(べとなむ) or a full or former name (アメリカ合衆国); stored as the code. A text "
            "naming no single entry is a 400 naming nationality, with the candidates."
        ),
        examples=["VN", "ベトナム", "べとなむ"],
    )
    nationality_name: str = ""  # no longer read: the list's name is printed
    name_roman: str = ""
    alt_name: str = ""
    art30_45_class: str = ""
    residence_status: str = ""
    residence_period: str = ""
    residence_expires_on: str = ""  # 西暦 or 和暦 as typed
    residence_card_no: str = ""


FOREIGN_FIELDS = tuple(k for k in ForeignIn.model_fields if k != "version")


class CaptureIn(Versioned):
    values: dict[str, dict[str, str]]


def _capture_form(post) -> dict:
    """Inputs named ``cap.<pid>.<key>`` → {pid: {key: value}}."""
    values: dict[str, dict[str, str]] = {}
    for name in post:
        if name.startswith("cap."):
            _cap, pid, key = (name.split(".", 2) + ["", ""])[:3]
            values.setdefault(pid, {})[key] = post.get(name, "")
    return {"values": values}


class NewbornIn(Versioned):
    name: str = ""
    kana: str = ""
    sex: str = ""
    birth_date: str = ""  # ISO or 和暦 as typed (R9.6.12, 令和9年6月12日, 5090612)
    birth_time: str = ""  # 14:05
    birth_place: str = ""
    weight_g: str = ""  # grams
    premature_hospitalized: bool = False
    mother: str = ""  # a pid of the visit, or "outside" (mother_name)
    # a pid of the visit, "outside" (a father living elsewhere: father_* below), or "" (no
    # father: a child born outside marriage not yet acknowledged, 認知前)
    father: str = ""
    father_name: str = ""
    # twins, triplets: "" the first newborn (entered or corrected), "new" another newborn
    # of the same birth, or the pid of a newborn to correct
    target: str = ""
    # a mother living elsewhere: mother "outside" with her name and birth date
    mother_name: str = ""
    mother_birth_date: str = ""
    # a father living elsewhere (father "outside"), entered once
    father_kana: str = ""
    father_birth_date: str = ""  # 和暦 or 西暦 as typed
    father_honseki: str = ""
    father_hittousha: str = ""
    father_address: str = ""
    father_address_kind: str = Field(
        "", description='"" an address, "unfixed" 住所不定, "abroad" an address abroad'
    )
    father_nationality: str = ""  # 国籍・地域 from the list (a code or a name); "" Japan
    # the earlier children of the same parents by sex as the parents tell it (続き柄);
    # absent: unchanged, both "": the register's count; another count needs prior_reason
    prior_male: str | None = None
    prior_female: str | None = None
    prior_reason: str = ""


NEWBORN_ARGS = (
    "name",
    "kana",
    "sex",
    "birth_date",
    "birth_time",
    "birth_place",
    "weight_g",
    "premature_hospitalized",
    "mother",
    "father",
    "father_name",
    "target",
    "mother_name",
    "mother_birth_date",
    "father_kana",
    "father_birth_date",
    "father_honseki",
    "father_hittousha",
    "father_address",
    "father_address_kind",
    "father_nationality",
    "prior_male",
    "prior_female",
    "prior_reason",
)


def _newborn_form(post) -> dict:
    """The newborn entry's form: the count of earlier children only when the form has
    its fields (the twin form leaves it as it is); the fields of a father from outside
    only when he is the father chosen."""
    out = {
        n: post.get(n, "")
        for n in NEWBORN_ARGS
        if n not in ("premature_hospitalized", "prior_male", "prior_female")
    }
    out["premature_hospitalized"] = post.get("premature_hospitalized") == "on"
    if out["father"] != services.OUTSIDE_PARENT:  # the outside father's fields, left filled
        for n in NEWBORN_ARGS:  # when the clerk picks a member or none, are not his
            if n.startswith("father_"):
                out[n] = ""
    for n in ("prior_male", "prior_female"):
        if n in post:
            out[n] = post.get(n, "")
    return out


# ------------------------------------------------------------------ HTML forms → input

PAPER_ROWS = 6  # rows of the paper 転出証明書 form


def _paper_form(post) -> dict:
    persons = []
    for i in range(1, PAPER_ROWS + 1):
        if not post.get(f"name_{i}", "").strip():
            continue
        persons.append(
            {
                "name": post.get(f"name_{i}", ""),
                "kana": post.get(f"kana_{i}", ""),
                "birth_date": post.get(f"birth_{i}", ""),
                "sex": post.get(f"sex_{i}", ""),
                "relationship": post.get(f"rel_{i}", ""),
                "nationality": post.get(f"nat_{i}", "") or "JP",
                "health_insurance": post.get(f"hi_{i}", ""),
                "pension": post.get(f"pen_{i}", ""),
            }
        )
    return {
        "persons": persons,
        "former_address": post.get("former_address", ""),
        "former_postal_code": post.get("former_postal_code") or post.get("former_postal", ""),
    }


def _detail_value(key: str, post) -> object:
    from madoguchi.rules.situation import BOOL_DETAILS, ID_DETAILS, ID_LIST_DETAILS

    if key in BOOL_DETAILS:
        return post.get(key) == "on"
    if key in ID_LIST_DETAILS:
        return post.getlist(key)
    if key in ID_DETAILS:
        return post.get(key, "")
    if key == "birth_weight_g":
        raw = post.get(key, "").strip()
        if not raw:
            return None
        if not raw.isdigit():
            raise services.CounterError(_("出生体重は整数（グラム）で入力してください"), key)
        return int(raw)
    if key in services.DATE_DETAILS:  # typed in 和暦 or 西暦
        d = services.counter_date(post.get(key, ""), key, _(services.DATE_DETAILS[key]))
        return d.isoformat() if d else None
    return post.get(key)


def _details_form(post) -> dict:
    from madoguchi.rules.situation import BOOL_DETAILS, EVENT_DETAILS

    event = post.get("event", "")
    if event not in EVENT_DETAILS:
        raise services.CounterError(_("ライフイベントが不正です"), "event")
    req, opt = EVENT_DETAILS[event]
    keys = req | opt
    if event == "birth":  # set by the newborn entry, not by this form
        keys = {k for k in keys if k not in services.NEWBORN_DETAILS or k in post}
    details = {k: _detail_value(k, post) for k in keys if k in post or k in BOOL_DETAILS}
    return {"event": event, "details": details}


def _households_form(post) -> dict:
    return {
        "after": {k[6:]: v for k, v in post.items() if k.startswith("after_")},
        "heads": post.getlist("heads"),
        "zokugara_after": {k[4:]: v for k, v in post.items() if k.startswith("zok_")},
        "zokugara_reason": {k[7:]: v for k, v in post.items() if k.startswith("zokwhy_")},
    }


def _answers_form(post) -> dict:
    return {"flags": {post.get("pid", ""): {post.get("flag", ""): post.get("value") == "on"}}}


# ------------------------------------------------------------------ the steps


@dataclass(frozen=True)
class Step:
    name: str  # the API path and the step's one name
    schema: type[Versioned]
    service: Callable
    fields: tuple[str, ...]  # payload fields → the service's arguments, in order
    form: Callable  # an HTML form (QueryDict) → the schema's fields (without version)
    aliases: tuple[str, ...] = ()  # the screen's older action names
    convert: Callable | None = None  # payload → arguments, when fields are not enough

    def args(self, payload) -> list:
        if self.convert is not None:
            return self.convert(payload)
        return [getattr(payload, f) for f in self.fields]

    def run(self, visit_id: int, payload, actor):
        return self.service(visit_id, payload.version, actor, *self.args(payload))


def _paper_args(payload: PaperIn) -> list:
    former = {"address": payload.former_address, "postal_code": payload.former_postal_code}
    return [[p.dict() for p in payload.persons], former]


def _get(*names: str, lists: tuple[str, ...] = ()):
    def form(post) -> dict:
        out = {n: post.get(n, "") for n in names}
        out.update({n: post.getlist(n) for n in lists})
        return out

    return form


STEPS: tuple[Step, ...] = (
    Step("identify", IdentifyIn, services.identify, ("atena_no",), _get("atena_no")),
    Step(
        "persons",
        PersonIn,
        services.add_person,
        ("atena_no", "relationship", "reason"),
        _get("atena_no", "relationship", "reason"),
        aliases=("add_person",),
    ),
    Step(
        "paper-persons",
        PaperIn,
        services.add_paper_persons,
        (),
        _paper_form,
        aliases=("paper",),
        convert=_paper_args,
    ),
    Step("involved", InvolvedIn, services.set_involved, ("pids",), _get(lists=("pids",))),
    Step(
        "parents",
        ParentsIn,
        services.set_parents,
        ("pid", "parents"),
        _get("pid", lists=("parents",)),
    ),
    Step(
        "applicant",
        ApplicantIn,
        services.set_applicant,
        ("applicant", "applicant_name", "applicant_relationship", "applicant_address"),
        _get("applicant", "applicant_name", "applicant_relationship", "applicant_address"),
    ),
    Step(
        "events",
        EventsIn,
        services.set_events,
        ("events", "event_date"),
        lambda post: {
            "events": post.getlist("events"),
            "event_date": services.counter_date(post.get("event_date"), "event_date", _("異動日")),
        },
    ),
    Step(
        "event-details",
        DetailsIn,
        services.set_event_details,
        ("event", "details"),
        _details_form,
        aliases=("details",),
    ),
    Step(
        "address",
        AddressIn,
        services.set_address,
        ("postal_code", "town_index", "banchi", "katagaki", "town"),
        lambda post: {
            **_get("postal_code", "banchi", "katagaki", "town")(post),
            "town_index": post.get("town_index") or 0,
        },
    ),
    Step(
        "facts",
        FactIn,
        services.edit_fact,
        ("pid", "field", "value", "reason"),
        _get("pid", "field", "value", "reason"),
        aliases=("fact",),
    ),
    Step("answers", AnswersIn, services.answer, ("flags",), _answers_form, aliases=("answer",)),
    Step("confirm", Versioned, services.confirm, (), lambda post: {}),
    Step(
        "acknowledge",
        AcknowledgeIn,
        services.acknowledge_warning,
        ("key", "reason"),
        _get("key", "reason"),
    ),
    Step(
        "confirm-facts",
        Versioned,
        services.confirm_facts,
        (),
        lambda post: {},
        aliases=("confirm_facts",),
    ),
    Step(
        "sign",
        SignIn,
        services.mark_signed,
        ("id_document", "at_counter"),
        _get("id_document", lists=("at_counter",)),
    ),
    Step(
        "guide-language",
        GuideLanguageIn,
        services.set_guide_english,
        ("english",),
        lambda post: {"english": post.get("english") == "1"},
        aliases=("guide_language",),
    ),
    Step("cancel", CancelIn, services.cancel_visit, ("reason",), _get("reason")),
    Step(
        "households",
        HouseholdsIn,
        services.set_households,
        ("after", "heads", "zokugara_after", "zokugara_reason"),
        _households_form,
    ),
    Step(
        "new-name",
        NewNameIn,
        services.set_new_name,
        ("pid", "surname", "surname_kana", "honseki", "hittousha"),
        _get("pid", "surname", "surname_kana", "honseki", "hittousha"),
        aliases=("new_name",),
    ),
    Step(
        "remove-person",
        RemovePersonIn,
        services.remove_person,
        ("pid", "reason"),
        _get("pid", "reason"),
        aliases=("remove_person",),
    ),
    Step(
        "withdraw",
        WithdrawIn,
        services.withdraw_procedure,
        ("procedure", "reason"),
        _get("procedure", "reason"),
    ),
    Step("restore", RestoreIn, services.restore_procedure, ("procedure",), _get("procedure")),
    Step(
        "cancel-signed",
        CancelIn,
        services.cancel_signed_visit,
        ("reason",),
        _get("reason"),
        aliases=("cancel_signed",),
    ),
    Step(
        "foreign-resident",
        ForeignIn,
        services.set_foreign_resident,
        FOREIGN_FIELDS,
        _get(*FOREIGN_FIELDS),
        aliases=("foreign",),
    ),
    Step("capture", CaptureIn, services.capture, ("values",), _capture_form),
    Step(
        "at-counter",
        AtCounterIn,
        services.set_at_counter,
        ("procedure", "status", "staff"),
        _get("procedure", "status", "staff"),
        aliases=("at_counter",),
    ),
    Step("newborn", NewbornIn, services.add_newborn, NEWBORN_ARGS, _newborn_form),
)

BY_NAME: dict[str, Step] = {s.name: s for s in STEPS}
BY_ACTION: dict[str, Step] = {**BY_NAME, **{a: s for s in STEPS for a in s.aliases}}


def from_form(action: str, version: int, post):
    """(step, payload) of an HTML form, validated by the same schema as the API.

    The screen's answer checkbox of an event detail (``event`` + ``detail``) is the
    ``event-details`` step. Raises ``KeyError`` for an unknown action and
    ``CounterError`` naming the field for bad input."""
    step = BY_ACTION[action]
    if step.name == "answers" and post.get("event"):
        step = BY_NAME["event-details"]
        data = {
            "event": post["event"],
            "details": {post.get("detail", ""): post.get("value") == "on"},
        }
    else:
        data = step.form(post)
    try:
        return step, step.schema(version=version, **data)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err.get("loc", ()))
        raise services.CounterError(
            _("入力が不正です: %(f)s") % {"f": field or step.name}, field
        ) from None
