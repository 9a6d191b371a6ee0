"""View models of the visit screen: plain dicts built from a visit for the templates."""

from __future__ import annotations

from django.utils.translation import gettext as _

from madoguchi.catalog.templatetags.data_i18n import english_ui, translated
from madoguchi.core import countries

from . import determination, labels, safety, suggest
from .models import CounterGroup, IdDocument, Visit, VisitStep
from .serialize import task_rows
from .services.entry import ART30_45_CLASSES, NEWBORN_DETAILS, RESIDENCE_STATUSES


def event_choices():
    """(event, label) pairs of every life event, in the catalog's order."""

    from madoguchi.rules.facts import EVENTS

    return [(e, labels.event_name(e)) for e in EVENTS]


def _person_rows(visit: Visit) -> list[dict]:
    rows = []
    for vp in visit.persons.all():
        reg = vp.data.get("register", {})
        rows.append(
            {
                "pid": vp.pid,
                "atena_no": vp.atena_no,
                "name": reg.get("name", ""),
                "kana": reg.get("kana", ""),
                "birth_date": vp.data.get("birth_date"),
                "sex": vp.data.get("sex"),
                "relationship": vp.data.get("relationship"),
                "parents": vp.data.get("parents", []),
                "health_insurance": vp.data.get("health_insurance", "none"),
                "health_insurance_before": vp.data.get("health_insurance_before", ""),
                "pension": vp.data.get("pension", "none"),
                "flags": vp.data.get("flags", []),
                "to_check": _to_check(vp),
                "involved": vp.involved,
                "source": vp.source,
                "edits": vp.edits,
                "foreign": _foreign_summary(vp.data),
                "household": vp.data.get("household") or "",
                "outside": bool(vp.data.get("outside")),
                "zokugara": reg.get("zokugara") or "",
                "order": vp.order,
            }
        )
    return rows


def _birth(row: dict):
    from datetime import date

    try:
        return date.fromisoformat(str(row.get("birth_date") or ""))
    except ValueError:
        return None


def _member_key(row: dict, zokugara_text: str, head: bool) -> tuple:
    """Head first, then the legal order of the 続柄 (rules.zokugara), then as entered."""
    from madoguchi.rules.zokugara import legal_order_key

    return (
        not head,
        legal_order_key(zokugara_text, row["relationship"], _birth(row)),
        row["order"],
    )


def _household_title(key: str, head_name: str) -> str:
    if key == "paper":
        return _("転入前の世帯（紙の転出証明書）") + (f" — {head_name}" if head_name else "")
    if head_name:
        return _("%(h)sの世帯") % {"h": head_name}
    return _("世帯 %(k)s") % {"k": key}


def _person_groups(rows: list[dict]) -> list[dict]:
    """The persons table grouped by the household each person belongs to now (situation.md,
    "Several households"): households in the order they joined the visit, each head first
    and then in 続柄 order; persons outside every household in their own group, last."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault("" if row["outside"] else row["household"], []).append(row)
    out = []
    for key, members in groups.items():
        if key == "" and all(m["outside"] for m in members):
            continue
        head = next((m for m in members if m["relationship"] == "head"), None)
        members.sort(key=lambda m: _member_key(m, m["zokugara"], m is head))
        out.append(
            {
                "key": key,
                "title": _household_title(key, head["name"] if head else ""),
                "number": key if key not in ("", "paper") else "",
                "rows": members,
            }
        )
    outside = [r for r in rows if r["outside"]]
    if outside:
        out.append({"key": "outside", "title": _("世帯外の方"), "number": "", "rows": outside})
    return out


def _after_groups(rows: list[dict], plan: dict) -> list[dict]:
    """After the event: the household each person will belong to, head first, then in the
    order of the 続柄 to that head; [] when nobody changes household or head."""
    by_pid = {r["pid"]: r for r in rows}
    plans = [h for h in plan["rows"] if h["pid"] in by_pid and not by_pid[h["pid"]]["outside"]]
    if not any(h["changes"] for h in plans):
        return []
    groups: dict[str, list[dict]] = {}
    for h in plans:
        groups.setdefault(h["after"] or h["household"], []).append(h)
    new_no = {k: i for i, k in enumerate(plan["new"], start=1)}
    out = []
    for key, members in groups.items():
        head = next((h for h in members if h["head_after"]), None) or next(
            (h for h in members if by_pid[h["pid"]]["relationship"] == "head" and not h["after"]),
            None,
        )
        entries = []
        for h in members:
            row = by_pid[h["pid"]]
            text = (
                "世帯主"
                if h is head
                else (h["zokugara_after"] or h["derived"] or row["zokugara"])
                if h["changes"]
                else row["zokugara"]
            )
            entries.append(
                {**row, "zokugara_after": text, "changes": h["changes"], "head": h is head}
            )
        entries.sort(key=lambda e: _member_key(e, e["zokugara_after"], e["head"]))
        head_name = by_pid[head["pid"]]["name"] if head else ""
        if key in new_no:
            title = _("新しい世帯 %(n)s（世帯主: %(h)s）") % {
                "n": new_no[key],
                "h": head_name or "—",
            }
        else:
            title = _household_title(key, head_name)
        out.append({"key": key, "title": title, "rows": entries})
    return out


def _new_name_pids(events) -> list[str]:
    """Whose new surname and 新本籍・筆頭者 the counter asks: both of a marriage's couple
    (their new 戸籍); of a divorce only who leaves the 戸籍 — who returns to the former
    surname (復氏) or keeps the married one (婚氏続称, a new 戸籍) — not the 筆頭者 who
    stays in it."""
    pids: list[str] = []
    for e in events:
        d = e.details or {}
        if e.event == "marriage":
            wanted = list(d.get("couple") or [])
        elif e.event == "divorce":
            leaving = set(d.get("surname_changes") or []) | set(
                d.get("keeps_married_surname") or []
            )
            wanted = [p for p in d.get("couple") or [] if p in leaving]
        else:
            continue
        pids += [p for p in wanted if p not in pids]
    return pids


def _household_plan(visit: Visit, rows: list[dict]) -> dict:
    """The households of the visit before and after the event, for the 世帯 panel: per
    person the household (旧世帯主), the household after, head after, and the 続柄 to the
    new head (derived by ``rules.zokugara`` from the family ties, 関係不明 when it falls
    back to 縁故者 / 同居人; the clerk's override with its reason)."""
    from .households import NEW_HOUSEHOLDS, derive_ties, household_keys

    persons = list(visit.persons.all())
    keys = household_keys(persons)
    heads = {}
    for vp in persons:
        key = vp.data.get("household") or ""
        if vp.data.get("relationship") == "head" and key not in heads:
            heads[key] = vp.data.get("register", {}).get("name", vp.pid)
    ties = derive_ties(determination.situations(visit)) if persons else {}
    by_pid = {r["pid"]: r for r in rows}
    proposed = suggest.household_suggestion(visit, persons)  # shown, saved by the clerk
    plan = []
    for vp in persons:
        if vp.data.get("outside"):  # a parent living elsewhere: in no household here
            continue
        key = vp.data.get("household") or ""
        plan.append(
            {
                "pid": vp.pid,
                "name": by_pid[vp.pid]["name"],
                "household": key,
                "head_name": heads.get(key, ""),
                "after": vp.data.get("household_after", "")
                or proposed.get("after", {}).get(vp.pid, ""),
                "head_after": bool(vp.data.get("head_after"))
                or vp.pid in proposed.get("heads", ()),
                "zokugara_after": vp.data.get("zokugara_after", ""),
                "zokugara_reason": vp.data.get("zokugara_reason", ""),
                "derived": ties[vp.pid].text if vp.pid in ties else "",
                "known": ties[vp.pid].known if vp.pid in ties else True,
                "changes": vp.pid in ties,
                "name_after": vp.data.get("name_after") or {},
                "name_after_from": by_pid.get(vp.data.get("name_after_from") or "", {}).get(
                    "name", ""
                ),
            }
        )
    return {
        "rows": plan,
        "choices": [(k, heads.get(k, "")) for k in keys],
        "new": NEW_HOUSEHOLDS,
        "several": len(keys) > 1,
        "suggested": proposed.get("why", ""),
    }


def _foreign_next(persons: list[dict]) -> str:
    """The person the 在留カード form opens on: the first foreign national without the
    card's data yet, else the first without any."""
    waiting = [
        p for p in persons if p["source"] != "newborn" and not p["foreign"].get("art30_45_class")
    ]
    foreign = [p for p in waiting if p["foreign"]]
    entered = [p for p in persons if p["foreign"]]  # every card entered: the first one's
    return (foreign or waiting or entered or [{"pid": ""}])[0]["pid"]


def _foreign_summary(data: dict) -> dict:
    """The 在留カード data shown beside a foreign resident (the card number masked)."""
    from madoguchi.register.residence_card import mask_card_no

    from .services.entry import FOREIGN_KEYS

    if data.get("nationality", "JP") == "JP":
        return {}
    reg = data.get("register") or {}
    out = {k: reg.get(k, "") for k in FOREIGN_KEYS}
    code = data.get("nationality", "")
    out["nationality_name"] = out["nationality_name"] or countries.name_of(code) or code
    out["unlisted"] = countries.by_code(code) is None  # kept as typed or imported: 要確認
    out["residence_card_no"] = mask_card_no(out["residence_card_no"])
    out["nationality"] = data.get("nationality", "")
    return out


def _to_check(vp) -> dict[str, str]:
    """Facts the register only suggests (「被用者保険と推定（要確認）」) and nobody has
    confirmed yet by an edit: field → the source text, shown as 要確認 beside the value."""
    return {field: _(text) for field, text in safety.unconfirmed(vp).items()}


def _procedure_rows(visit: Visit, names: dict[str, str]) -> list[dict]:
    cat = determination.catalog()
    rows = []
    for p in (visit.result or {}).get("procedures", []):
        dept = p.get("department", "")
        dname, place = dept, ""
        if cat is not None and dept in cat.departments:
            d = cat.department(dept)
            dname, place = translated(d, "name") or dept, translated(d, "place") or ""
        rows.append(
            {
                **p,
                **_procedure_en(cat, p),
                "department_name": dname,
                "place": place,
                "person_names": [names.get(x, x) for x in p.get("persons", [])],
                "because": [labels.because_text(b, names) for b in p.get("because", [])],
            }
        )
    return rows


def _procedure_en(cat, p: dict) -> dict:
    """On an English page: the procedure's name and what to bring from its en: block."""
    versions = (cat.procedures.get(p.get("id")) or []) if cat is not None else []
    if not versions or not english_ui():
        return {}
    en = versions[-1].en
    out = {"name": en["name"]} if en.get("name") else {}
    if en.get("bring") and len(en["bring"]) == len(p.get("bring") or []):
        out["bring"] = en["bring"]
    return out


def _procedure_names(visit: Visit) -> dict[str, str]:
    """Catalog names of the procedures found not applicable (ids only in the result)."""
    cat = determination.catalog()
    on = visit.event_date
    return {
        n["id"]: cat.procedure(n["id"], on).name
        for n in (visit.result or {}).get("not_applicable", [])
        if n.get("id") in cat.procedures
    }


def visit_context(request, visit: Visit, **extra) -> dict:
    """Everything the visit screen shows (call after ``access.read_visit``)."""
    from madoguchi.rules.facts import MOVE_EVENTS
    from madoguchi.rules.situation import EVENT_DETAILS

    persons = _person_rows(visit)  # the read was audited at the door (access.read_visit)
    names = {p["pid"]: p["name"] or p["pid"] for p in persons}
    events = list(visit.events.all())
    chosen = [e.event for e in events]
    state = visit.state or {}
    ctx = {
        "visit": visit,
        "persons": persons,
        "names": names,
        "events": events,
        "chosen_events": chosen,
        "all_events": event_choices(),
        "event_names": dict(event_choices()),
        "event_details": {
            e.event: sorted(
                (EVENT_DETAILS[e.event][0] | EVENT_DETAILS[e.event][1])
                - (NEWBORN_DETAILS if e.event == "birth" else set())  # the newborn entry's
            )
            for e in events
        },
        "has_move": any(e in MOVE_EVENTS for e in chosen),
        "new_address": state.get("new_address"),
        "determine_error": state.get("determine_error"),
        "procedures": _procedure_rows(visit, names),
        "at_counter": at_counter_panel(request, visit),
        "households": (plan := _household_plan(visit, persons)),
        "suggested": suggest.detail_suggestions(visit, persons),
        "person_groups": _person_groups(persons),
        "after_groups": _after_groups(persons, plan),
        "new_name_pids": _new_name_pids(events),
        # 子の親: offered when someone could be a child of another (a couple alone has no
        # parent link to record), or a link is recorded already
        "parents_form": len(persons) > 1
        and any(p["relationship"] not in ("head", "spouse") or p.get("parents") for p in persons),
        "withdrawn": [
            {
                "id": p["id"],
                "name": p.get("name", p["id"]),
                **(state.get("withdrawn") or {}).get(p["id"], {}),
            }
            for p in (visit.result or {}).get("withdrawn", [])
        ],
        "not_applicable": [
            {**n, "because": labels.because_text(n.get("because", ""), names)}
            for n in (visit.result or {}).get("not_applicable", [])
        ],
        "procedure_names": _procedure_names(visit),
        "questions": _grouped(
            determination.questions(visit) if visit.step == VisitStep.INTERVIEW else [], names
        ),
        # the capture form takes the focus (its first empty field) once no field before
        # it waits to be typed: the new address given where there is a move (a question
        # is a checkbox, unticked is its answer)
        "capture_focus": bool(
            state.get("new_address") or not any(e in MOVE_EVENTS for e in chosen)
        ),
        "tasks": (tasks := task_rows(visit)),
        "remaining": sum(1 for t in tasks if t["status"] != "done"),
        "to_check": any(p["to_check"] for p in persons),
        "id_documents": IdDocument.choices,
        "id_document_default": _id_document_default(visit),
        "applicant": (visit.state or {}).get("applicant") or {},
        "groups": CounterGroup.choices,
        "editable": visit.step in (VisitStep.IDENTIFY, VisitStep.INTERVIEW),
        "relationships": RELATIONSHIP_LABELS,
        "steps": [(s, s.label) for s in VisitStep if s != VisitStep.CANCELLED],
        "insurances": INSURANCE_LABELS,
        "pensions": PENSION_LABELS,
        "newborn": (
            _newborn_row(visit, persons, request.GET.get("newborn", ""))
            if "birth" in chosen
            else {}
        ),
        "capture": _capture_rows(visit, names) if visit.step == VisitStep.INTERVIEW else [],
        # arriving from abroad there is no register entry to find: the entry form opens
        "from_abroad": chosen == ["move_in_from_abroad"],
        "art30_45_classes": ART30_45_CLASSES,
        "residence_statuses": RESIDENCE_STATUSES,
        "foreign_next": _foreign_next(persons),
        "foreign_nationality": next(
            (
                p["foreign"]["nationality_name"]
                for p in persons
                if p["pid"] == _foreign_next(persons) and p["foreign"]
            ),
            "",
        ),
        "foreign_open": any(e == "move_in_from_abroad" for e in chosen)
        or any(p["foreign"] for p in persons),
        **safety.screen(visit),  # warnings, 期限超過, the 届出日 (counter/safety.py)
        # the 異動 record to the core system and its reconciliation (docs/ido.md)
        "ido": _ido_state(request, visit),
        # what was printed, and what no longer matches it (services.printing)
        "prints": _print_rows(visit),
        "stale": _stale(visit),
        "can_take_over": request.user.is_manager
        and visit.clerk_id != request.user.pk
        and visit.step not in (VisitStep.DONE, VisitStep.CANCELLED),
        **extra,
    }
    if ctx["capture_focus"]:
        empty = (c for g in ctx["capture"] for c in g["items"] if not c["value"])
        first = next(empty, None)
        if first is not None:
            first["focus"] = True
    return ctx


def _print_rows(visit: Visit) -> list[dict]:
    """Each print handed to the resident: edition, bundle or guide sheet alone, when, by
    whom, the visit's version."""
    from .services.printing import prints

    return [
        {**p, "guide_only": p["kind"] == "guide", "time": p["at"][11:16]} for p in prints(visit)
    ]


def _stale(visit: Visit) -> dict:
    from .services.printing import stale

    return stale(visit)


def _ido_state(request, visit: Visit) -> dict:
    """The signed visit's 異動 hand-off and reconciliation (``ido_handoff.visit_state``);
    the reconcile page's link filtered to this visit."""
    from . import ido_handoff

    if visit.step not in (VisitStep.DONE, VisitStep.CANCELLED):
        return {}
    return ido_handoff.visit_state(visit, request.user)


def _id_document_default(visit: Visit) -> dict:
    """The ID document already known to be required: a move-in from the 転出証明書情報
    (引越しワンストップ, 転入届の特例) is notified with the 個人番号カード presented
    (住民基本台帳法 24条の2). Preselected and marked; the clerk may choose another."""
    if visit.step != VisitStep.PRINTED:
        return {}
    if any(vp.source == "pending" and vp.involved for vp in visit.persons.all()):
        return {
            "value": IdDocument.MY_NUMBER_CARD,
            "why": _("転入届の特例（引越しワンストップ）: 個人番号カードの提示が必要"),
        }
    return {}


def _capture_rows(visit: Visit, names: dict[str, str]) -> list[dict]:
    """The fields the visit's forms ask for, grouped by person (``counter.capture``)."""
    from . import capture, phone

    groups: dict[str, dict] = {}
    state = visit.state or {}
    outside = (state.get("applicant") or {}).get("name", "")
    persons = list(visit.persons.all())
    for pid, key, forms in capture.needed(visit, persons):
        field = capture.BY_KEY[key]
        who = {capture.OUTSIDE: outside, capture.VISIT: _("連絡先（この案件）")}.get(
            pid, names.get(pid, pid)
        )
        g = groups.setdefault(pid, {"pid": pid, "who": who, "items": []})
        g["items"].append(
            {
                "key": key,
                "label": str(field.label),
                "kind": field.kind,
                "choices": field.choices,
                "size": 12 if field.kind in ("date", "phone", "digits") else 16,
                "value": capture.current(visit, pid, key, persons),
                "forms": forms,
                # a value known before anyone asked, marked with where it came from
                "source": phone.source_text(state.get("contact_phone_source"))
                if pid == capture.VISIT
                else "",
                "picker": key == "school",
            }
        )
    return list(groups.values())


def _newborn_values(vp, details: dict, father_vp) -> dict:
    """One entered newborn as the entry form shows it."""
    reg = vp.data.get("register", {})
    weights = details.get("birth_weight_g")
    premature = details.get("premature_hospitalized", False)
    return {
        "pid": vp.pid,
        "name": reg.get("name", ""),
        "kana": reg.get("kana", ""),
        "sex": vp.data.get("sex"),
        "birth_date": vp.data.get("birth_date"),
        "birth_time": reg.get("birth_time", ""),
        "birth_place": reg.get("birth_place", ""),
        "weight_g": weights.get(vp.pid) if isinstance(weights, dict) else weights,
        "premature_hospitalized": (
            vp.pid in premature if isinstance(premature, list) else bool(premature)
        ),
        "mother": details.get("mother", ""),
        # the select's value: a member's pid, "outside" (the father entered below) or none
        "father": (
            ""
            if father_vp is None
            else "outside"
            if father_vp.data.get("outside")
            else father_vp.pid
        ),
        "father_pid": father_vp.pid if father_vp is not None else "",
    }


def _newborn_row(visit: Visit, persons: list[dict], selected: str = "") -> dict:
    """The newborn entry form's values: the newborn chosen (``?newborn=p4``: 修正 in the
    list of the birth's newborns), else the first entered, else the defaults (the mother:
    the head's or the spouse's female partner; the father: her partner). Also every
    newborn of the birth (the list with 修正 / 削除), the father from outside, and the
    earlier children of the same parents: the register's count (``rules.birth``) or the
    parents' own, with its reason."""
    from .services.entry import register_prior_children

    ev = next((e for e in visit.events.all() if e.event == "birth"), None)
    details = ev.details if ev else {}
    vps = {vp.pid: vp for vp in visit.persons.all()}
    born = [vps[p["pid"]] for p in persons if p["source"] == "newborn"]
    outside_father = next(
        (vp for vp in vps.values() if vp.source == "outside" and vp.data.get("sex") == "male"),
        None,
    )
    father_form = {}
    if outside_father is not None:
        freg = outside_father.data.get("register", {})
        father_form = {
            "pid": outside_father.pid,
            "name": freg.get("name", ""),
            "kana": freg.get("kana", ""),
            "birth_date": outside_father.data.get("birth_date", ""),
            "honseki": freg.get("honseki", ""),
            "hittousha": freg.get("hittousha", ""),
            "address": "" if freg.get("address_kind") == "unfixed" else freg.get("address", ""),
            "address_kind": freg.get("address_kind", ""),
            "nationality": freg.get("nationality_name", ""),
        }
    if not born:
        couple = [p for p in persons if p["relationship"] in ("head", "spouse")]
        mother = next((p["pid"] for p in couple if p["sex"] == "female"), "")
        father = next((p["pid"] for p in couple if p["sex"] == "male"), "") if mother else ""
        return {"pid": "", "mother": mother, "father": father, "list": [], "outside": {}}

    def father_of(vp):
        dad = next((p for p in vp.data.get("parents", []) if p != details.get("mother")), "")
        return vps.get(dad)

    rows = [_newborn_values(vp, details, father_of(vp)) for vp in born]
    chosen = next((r for r in rows if r["pid"] == selected), rows[0])
    told = vps[chosen["pid"]].data.get("register", {}).get("prior_children")
    counted = register_prior_children(visit, chosen["pid"])
    # the parents' count is the birth's: its last edit may be on another newborn
    reasons = sorted(
        (e for vp in born for e in vp.edits if e.get("field") == "prior_children"),
        key=lambda e: e.get("at", ""),
    )
    return {
        **chosen,
        "selected": chosen["pid"] == selected,
        "list": rows,
        "twins": [r["name"] for r in rows[1:]],  # further newborns of the same birth
        "outside": father_form,
        "prior": told or counted or {"male": "", "female": ""},
        "prior_told": bool(told),
        "prior_reason": reasons[-1]["reason"] if told and reasons else "",
        "prior_counted": counted,
    }


def _question_texts_en() -> dict[str, str]:
    """The catalog questions' en: texts by id (English pages)."""
    return {q.id: q.en.get("text", "") for q in determination.catalog().questions}


def _grouped(questions: list[dict], names: dict[str, str]) -> list[dict]:
    """One line per question, one checkbox per person it is put to."""
    groups: dict[tuple, dict] = {}
    english = _question_texts_en() if english_ui() and questions else {}
    for q in questions:
        text = english.get(q["id"]) or q["text"]
        g = groups.setdefault((q["id"], q["event"]), {"text": text, "items": []})
        g["items"].append({**q, "name": names.get(q["pid"], "") if q["pid"] else ""})
    return list(groups.values())


RELATIONSHIP_LABELS = labels.choices("relationship")
INSURANCE_LABELS = labels.choices("health_insurance")
PENSION_LABELS = labels.choices("pension")


def result_row(row) -> dict:
    """A register search row for the counter (a masked 支援措置 row has no person)."""
    from madoguchi.core.wareki import format_wareki

    p = row.person
    if p is None:
        return {"masked": True}
    return {
        "masked": False,
        "atena_no": p.atena_no,
        "name": p.name,
        "kana": p.name_kana,
        "birth": format_wareki(p.birth_date),
        "address": f"{p.address}{p.katagaki}",
        "status": p.status,
        "status_class": row.status_class,
        "relationship": p.relationship,
        "head_name": row.head_name,
    }


def at_counter_panel(request, visit: Visit) -> dict:
    """The 同席で対応 panel: the marks of the visit's procedures, which the catalog lets
    the counter complete, and the staff of their departments who may be present."""
    from madoguchi.accounts.models import Staff
    from madoguchi.catalog.labels import department_names

    from .services import atcounter

    procs = (visit.result or {}).get("procedures", [])
    marks = atcounter.marks(visit)
    if not procs or visit.step not in (
        VisitStep.INTERVIEW,
        VisitStep.CONFIRMED,
        VisitStep.PRINTED,
    ):
        return {"marks": marks, "open": False}
    depts = {p.get("department", "") for p in procs}
    dnames = department_names()
    staff = [
        {"username": s.username, "name": s.display_name, "department": dnames.get(d, d)}
        for s in Staff.objects.filter(is_active=True, department__in=depts)
        .exclude(pk=request.user.pk)
        .order_by("department", "username")
        for d in [s.department]
    ]
    return {
        "marks": marks,
        "open": True,
        "completable": atcounter.completable(visit),
        "staff": staff,
    }
