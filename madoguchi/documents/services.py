"""Rendering a visit's bundle: every applicable form (per person where the form is per
person), the 超過リスト page when a value did not fit, and the guide sheet
(手続き案内票) in each language asked for.

``render_bundle`` is pure (no database): the counter stores the PDF on the visit and
writes its own audit row; the API and the command call the same function.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from madoguchi.catalog.i18n import field_of as _get
from madoguchi.catalog.i18n import text_in
from madoguchi.rules import deadlines
from madoguchi.rules.facts import MOVE_EVENTS

from .engine import (
    EVENT_JA,
    DocumentError,
    Renderer,
    as_date,
    blank_fields,
    build_data,
    format_wareki,
    load_forms,
    person_context,
)


@dataclass
class Bundle:
    pdf: bytes
    pages: int
    handwritten_chars: int
    overflow: list[dict] = field(default_factory=list)
    documents: list[dict] = field(default_factory=list)  # form id, name, copy, persons
    blank: list[dict] = field(
        default_factory=list
    )  # fields left blank (engine.bundle.blank_fields)


# ---------------------------------------------------------------- catalog access


def _catalog_dir(catalog) -> Path:
    """The folder a loaded catalog was read from (its forms live there)."""
    return Path(catalog.path)


def default_catalog():
    """The configured catalog (settings.MADOGUCHI_CATALOG_DIR, loaded once)."""
    from madoguchi.catalog.loader import current_catalog

    return current_catalog()


def visit_situation(situations: list[dict]) -> dict:
    """One situation for printing a visit of several events (婚姻 and 転居 together):
    the move event's situation leads (its persons carry the new addresses), and the
    other events' details (deceased, newborn, couple …) are added where it has none."""
    if not situations:
        raise DocumentError("situation", "a visit needs at least one situation")
    lead = next((s for s in situations if s.get("event") in MOVE_EVENTS), situations[0])
    merged = dict(lead)
    for other in situations:
        for key, value in other.items():
            merged.setdefault(key, value)
    # 離婚 and 転居: both apply (rules.family.spouses_of); not a key of the contract, so
    # left out where the merged situation is validated
    merged["events"] = [s.get("event") for s in situations]
    return merged


def _procedure(catalog, proc_id: str):
    if catalog is None:
        return None
    try:
        return catalog.procedure(proc_id)
    except (KeyError, LookupError, AttributeError):
        return None


def _department(catalog, dept_id: str):
    if catalog is None:
        return None
    try:
        return catalog.department(dept_id)
    except (KeyError, LookupError, AttributeError):
        return None


def _tr(obj, lang: str, key: str, default=None):
    """``obj``'s value of ``key`` in ``lang`` (``catalog.i18n.text_in``)."""
    return text_in(obj, key, lang, default)


def _child_age_limit(catalog, situation: dict) -> int:
    """The child-allowance age in force on the event date (the catalog's parameter)."""
    on = as_date(situation.get("event_date"))
    at = getattr(catalog, "at", None)
    if on is None or at is None:
        return 18
    return int(at(on).parameters.get("child_allowance_age_limit", 18))


def municipality_of(catalog) -> dict:
    """What the forms print about the municipality: catalog.yaml's settings."""
    name = str(_get(catalog, "name") or "デモ市")
    meta = _get(catalog, "meta") or {}
    return {
        "name": name,
        "code": str(_get(catalog, "code") or ""),
        "prefecture": str(meta.get("prefecture") or ""),
        "mayor": str(meta.get("mayor") or f"{name}長"),
        "elderly_union": str(
            meta.get("elderly_union") or f"{meta.get('prefecture', '')}後期高齢者医療広域連合"
        ),
        "demo": meta.get("demo") is True,
    }


@lru_cache(maxsize=8)
def _forms_cached(forms_dir: str, stamp: float):
    return load_forms(Path(forms_dir))


def forms_of(catalog_dir: Path):
    forms_dir = catalog_dir / "forms"
    files = [*forms_dir.glob("*/form.yaml"), *forms_dir.glob("_lib/*.yaml")]
    stamp = max((p.stat().st_mtime for p in files), default=0.0)  # edits apply at once
    return _forms_cached(str(forms_dir), stamp)


@lru_cache(maxsize=8)
def _labels_cached(path: str, stamp: float) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def guide_labels(catalog_dir: Path) -> dict:
    path = catalog_dir / "forms" / "_guide" / "labels.yaml"
    return _labels_cached(str(path), path.stat().st_mtime)


# ---------------------------------------------------------------- guide sheet

_REL_EN = {
    "head": "head",
    "spouse": "spouse",
    "child": "child",
    "parent": "parent",
    "sibling": "sibling",
    "relative": "relative",
    "cohabitant": "cohabitant",
}


def _deadline_text(catalog_proc, lang: str) -> str:
    deadline = _get(catalog_proc, "deadline") or {}
    if isinstance(deadline, str):
        return deadline if lang == "ja" else ""
    return str(_tr(deadline, lang, "text", "") or "")


def _procedure_name(cp, rp: dict, lang: str, labels: dict, event: str) -> str:
    """The name the result gives (it may be the event's own wording, e.g. 国民健康保険
    世帯主変更 on a death); in another language, that trigger's translation, else the
    procedure's, else the labels file's."""
    if lang == "ja":
        return rp.get("name") or _get(cp, "name", rp["id"])
    for trig in _get(cp, "triggers") or []:
        own = _get(trig, f"{lang}_name")
        if own and _get(trig, "name") == rp.get("name") and trig.for_event(event):
            return own
    return (
        _tr(cp, lang, "name")
        or (labels.get("procedures") or {}).get(rp["id"])
        or rp.get("name")
        or rp["id"]
    )


#: the guide sheet's words for procedures handled at the counter (同席), for a catalog whose
#: forms/_guide/labels.yaml does not have them yet
AT_COUNTER_LABELS = {
    "done_at_counter": "窓口で手続済み",
    "in_progress_at_counter": "{department}の職員がこの窓口で対応中",
    "at_counter_legend": "◎ 窓口で手続済み・対応中（担当課へ行く必要はありません）",
}


def build_guide(
    situation: dict, result: dict, catalog, labels: dict, languages, notified_on: dt.date
) -> dict:
    persons = {p["id"]: p for p in situation.get("persons", [])}
    head = next((p for p in persons.values() if p.get("relationship") == "head"), None)
    municipality = municipality_of(catalog)
    sections = []
    for lang in languages:
        if lang not in labels:
            raise DocumentError("languages", f"no guide-sheet labels for {lang!r}")
        t = {k: v for k, v in labels[lang].items() if isinstance(v, str)}
        t = {**AT_COUNTER_LABELS, **t}  # a city's labels.yaml older than these keys
        tr = labels[lang]
        phrases = tr.get("phrases") or {}

        def say(text: str, phrases=phrases, lang=lang) -> str:
            return text if lang == "ja" else phrases.get(text, text)

        def who(pid: str, lang=lang, tr=tr) -> str:
            p = persons.get(pid, {})
            name = (p.get("register") or {}).get("name")
            if name:
                return name
            if lang == "ja":
                return person_context(p, head)["relationship_ja"] if p else pid
            return (tr.get("relationships") or _REL_EN).get(p.get("relationship"), pid)

        procs, remaining = [], []
        late = []  # the notification's own deadline passed (届出期間経過)
        for rp in result.get("procedures", []):
            cp = _procedure(catalog, rp["id"])
            dept_id = rp.get("department") or _get(cp, "department", "")
            dept = _department(catalog, dept_id)
            dept_name = _tr(dept, lang, "name") or (tr.get("departments") or {}).get(dept_id)
            dept_name = dept_name or _get(dept, "name", dept_id)
            place = _tr(dept, lang, "place") or say(_get(dept, "place", ""))
            name = _procedure_name(cp, rp, lang, tr, situation.get("event", ""))
            deadline = ""
            if rp.get("deadline"):
                d = dt.date.fromisoformat(str(rp["deadline"]))
                deadline = t["until"].format(date=format_wareki(d) if lang == "ja" else d)
            rule = _deadline_text(cp, lang)
            if rule:
                with_rule = t.get("deadline_with_rule", "{date}（{rule}）")
                deadline = with_rule.format(date=deadline, rule=rule) if deadline else rule
            bring = rp.get("bring") or _get(cp, "bring") or []
            bring = _tr(cp, lang, "bring") or [say(b) for b in bring]
            here = bool(rp.get("forms"))
            at_counter = rp.get("at_counter") or ""  # 同席で対応 (counter.services.atcounter)
            pids = rp.get("persons") or []
            is_overdue = deadlines.overdue(rp.get("deadline"), notified_on)
            if is_overdue and deadlines.court_notice(_get(cp, "legal_basis", "")):
                late.append(name)
            procs.append(
                {
                    "id": rp["id"],
                    "name": name,
                    "persons": t.get("list_separator", "、").join(who(p) for p in pids)
                    if pids
                    else t["household"],
                    "department": dept_name,
                    "place": place,
                    "deadline": deadline or t["no_deadline"],
                    "bring": bring or [t["nothing_to_bring"]],
                    "here": here,
                    "overdue": t.get("overdue", "期限超過") if is_overdue else "",
                    "at_counter": at_counter,
                    # where the resident goes: nowhere when it was done at the counter
                    "handled": t["done_at_counter"]
                    if at_counter == "done"
                    else t["in_progress_at_counter"].format(department=dept_name)
                    if at_counter
                    else "",
                }
            )
            if not here and not at_counter:
                what = t["remains_at"].format(department=dept_name, place=place)
                reason = _tr(cp, lang, "no_form") or ""
                if reason:
                    what = f"{reason}。{what}" if lang == "ja" else f"{reason}. {what}"
                remaining.append({"name": name, "what": what})
        event = situation.get("event", "")
        cat_event = (_get(catalog, "events") or {}).get(event)
        event_name = _tr(cat_event, lang, "name") or (tr.get("events") or {}).get(event)
        event_name = event_name or EVENT_JA.get(event, event)
        event_date = str(situation.get("event_date", ""))
        shown_date = format_wareki(event_date) if lang == "ja" else event_date
        notices = _guide_notices(situation, result, catalog, notified_on, t, late, lang)
        sections.append(
            {
                "lang": lang,
                "labels": t,
                "municipality": _tr(_get(catalog, "meta"), lang, "name") or municipality["name"],
                "date": format_wareki(notified_on) if lang == "ja" else notified_on.isoformat(),
                "subtitle": t["subtitle_format"].format(event=event_name, date=shown_date),
                "procedures": procs,
                "remaining": remaining,
                "notices_title": t.get("notices_title", "ご注意"),
                "notices": notices,
                "any_at_counter": any(p["at_counter"] for p in procs),
            }
        )
    return {"languages": sections}


def _guide_notices(situation, result, catalog, notified_on, t: dict, late: list[str], lang: str):
    """What the resident is told of the dates (the counter's checks, counter/safety.py,
    from the same rules): an 異動日 notified further ahead than usual, a notification past
    its period (the 簡易裁判所 may be told)."""
    notices = []
    events = [situation.get("event", "")]
    for rp in result.get("procedures", []):
        events += [e for e in rp.get("events") or [] if e not in events]
    event_date = as_date(situation.get("event_date"))
    for event in events:
        ahead = (
            deadlines.advance_notice(catalog, event, event_date, notified_on)
            if event_date
            else None
        )
        label = "notice_ahead" if ahead and ahead["allowed_days"] else "notice_future"
        if ahead and t.get(label):
            shown = format_wareki(event_date) if lang == "ja" else event_date.isoformat()
            notices.append(
                t[label].format(date=shown, days=ahead["days_ahead"], allowed=ahead["allowed_days"])
            )
    if late and t.get("notice_late"):
        notices.append(t["notice_late"].format(procedures=t.get("list_separator", "、").join(late)))
    return notices


# ---------------------------------------------------------------- the bundle

_PAGE_RE = re.compile(rb"/Type\s*/Page(?![s\w])")


def render_bundle(
    situation: dict,
    result: dict,
    catalog=None,
    languages=("ja",),
    *,
    notified_on: dt.date | None = None,
    applicant: dict | None = None,
    guide_only: bool = False,
) -> Bundle:
    """One PDF: every form of ``result`` (filled from the situation and its persons'
    ``register`` blocks), the 超過リスト when needed, then the guide sheet per language.
    ``situation`` may be the list of a visit's situations (see :func:`visit_situation`).
    ``guide_only``: the guide sheet alone, as it prints in the bundle (a reprint)."""
    if isinstance(situation, list):
        situation = visit_situation(situation)
    if catalog is None:
        catalog = default_catalog()
    catalog_dir = _catalog_dir(catalog)
    notified_on = notified_on or dt.date.today()
    forms = forms_of(catalog_dir)
    municipality = municipality_of(catalog)
    guide = (
        build_guide(situation, result, catalog, guide_labels(catalog_dir), languages, notified_on)
        if languages
        else None
    )
    data, overflow, handwritten = build_data(
        situation,
        result,
        forms,
        municipality,
        guide,
        notified_on,
        applicant,
        _child_age_limit(catalog, situation),
    )
    if guide_only:
        if guide is None:
            raise DocumentError("languages", "the guide sheet needs a language")
        data = {**data, "documents": [], "overflow": []}
        overflow, handwritten = [], 0
    pdf = Renderer.for_dir(catalog_dir / "forms").compile(data)
    return Bundle(
        pdf=pdf,
        pages=len(_PAGE_RE.findall(pdf)),
        handwritten_chars=handwritten,
        overflow=[o.as_dict() for o in overflow],
        documents=[
            {"form": d["form"], "name": d["name"], "copy": d["copy"]} for d in data["documents"]
        ],
        blank=blank_fields(data, forms),
    )


# ---------------------------------------------------------------- API and views


class BundleRequestError(ValueError):
    """A situation or register block that cannot be rendered; ``field`` names it."""

    def __init__(self, field: str, message: str, message_en: str = ""):
        super().__init__(f"{field}: {message}")
        self.field, self.message, self.message_en = field, message, message_en or message

    def as_dict(self) -> dict:
        return {"field": self.field, "message": self.message, "message_en": self.message_en}


def bundle_for_situation(
    situation, languages=("ja",), notified_on: dt.date | None = None, catalog=None
) -> Bundle:
    """``determine`` + ``render_bundle`` for one situation, or ``determine_visit`` for
    the list of a visit's situations (API, views, command)."""
    from madoguchi.rules import SituationError, determine, determine_visit

    visit = (
        isinstance(situation, list) and situation and all(isinstance(x, dict) for x in situation)
    )
    if not (isinstance(situation, dict) or visit):
        raise BundleRequestError(
            "situation",
            "状況（event, event_date, persons）またはその一覧の形式ではありません",
            "expected a situation (event, event_date, persons) or a list of situations",
        )
    catalog = catalog or default_catalog()
    try:
        result = determine_visit(situation, catalog) if visit else determine(situation, catalog)
        return render_bundle(situation, result, catalog, languages, notified_on=notified_on)
    except SituationError as exc:
        raise BundleRequestError(exc.field, exc.message, exc.message_en) from exc
    except DocumentError as exc:
        raise BundleRequestError(exc.field, exc.message) from exc


def audit_bundle(actor, situation, bundle: Bundle, channel: str) -> None:
    """The audit row of a printed bundle: who printed the forms of which persons
    (宛名番号 when the register block carries it). Call inside the response's
    transaction."""
    from madoguchi.audit.services import record

    persons = [p for s in (situation if isinstance(situation, list) else [situation])
               for p in s.get("persons") or []]  # fmt: skip
    atena = sorted(
        {
            str((p.get("register") or {}).get("atena_no"))
            for p in persons
            if (p.get("register") or {}).get("atena_no")
        }
    )
    forms = ",".join(sorted({d["form"] for d in bundle.documents}))
    record(actor, f"documents.bundle.{channel}", query=f"forms={forms}", person_ids=atena)
    record_bundle(bundle, channel)


def record_bundle(bundle: Bundle, channel: str, reference: str = ""):
    """Store the bundle's analytics row (handwritten characters saved, forms, pages).
    Call inside the transaction that hands the bundle out."""
    from .models import BundleRecord

    return BundleRecord.objects.create(
        channel=channel,
        reference=reference,
        forms=sorted({d["form"] for d in bundle.documents}),
        documents=len(bundle.documents),
        pages=bundle.pages,
        handwritten_chars=bundle.handwritten_chars,
        overflow=len(bundle.overflow),
    )
