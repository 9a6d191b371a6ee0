"""The bundle: which forms a determination needs, for whom, and the data each is given."""

from __future__ import annotations

import datetime as dt

from madoguchi.documents.engine.applicant import applicant_context
from madoguchi.documents.engine.binding import Binder, Overflow
from madoguchi.documents.engine.formats import EVENT_JA, DocumentError, as_date, format_wareki
from madoguchi.documents.engine.forms import FormSpec
from madoguchi.documents.engine.persons import legal_order_key, person_context, school_grade
from madoguchi.rules.facts import MOVE_OUT_EVENTS
from madoguchi.rules.family import is_kid, spouses_of
from madoguchi.rules.situation import after_key, head_after

MOVING_OUT = MOVE_OUT_EVENTS  # kept for importers of the engine


def _addresses(ctx: dict, event: str) -> None:
    """Address before and after the event, whichever register keys hold them."""
    here = (ctx["postal_code"], ctx["address"], ctx["address_extra"])
    if event in MOVING_OUT:
        before, after = here, (ctx["new_postal_code"], ctx["new_address"], "")
    elif event.startswith("move_"):
        before, after = (ctx["former_postal_code"], ctx["former_address"], ""), here
    else:
        before, after = ("", "", ""), here
    for suffix, (postal, address, extra) in (("before", before), ("after", after)):
        ctx[f"postal_{suffix}"] = postal
        ctx[f"address_{suffix}"] = address
        ctx[f"address_extra_{suffix}"] = extra


def _signs_for_self(person: dict, deceased, on: dt.date) -> bool:
    """A living subject of 15 or over (completed years) applies for themself; for a child
    or the deceased the household's notifier signs."""
    birth = as_date(person.get("birth_date"))
    if not person or person.get("id") == deceased or birth is None:
        return False
    years = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    return years >= 15


def _spouse_of(person: dict, situation: dict, ctxs: dict) -> dict:
    """The subject's spouse after the event (``rules.family.spouses_of``): none after a
    divorce or the spouse's death, the partner of a marriage, never the head of another
    household of the visit."""
    other = spouses_of(situation).get(person.get("id", ""))
    if not other or other == situation.get("deceased"):
        return {}
    return ctxs.get(other, {})


def _new_head(situation: dict, persons: list[dict], head: dict, ctxs: dict) -> dict:
    """The head after the event: the first in legal order of those who stay, when the
    head dies or moves away; else the head."""
    leaving = {situation.get("deceased")}
    if situation.get("event", "").startswith("move_"):
        leaving |= {p["id"] for p in persons if p.get("moving", True)}
    if head.get("id") not in leaving:
        return ctxs.get(head.get("id"), {})
    stay = sorted((p for p in persons if p["id"] not in leaving), key=legal_order_key)
    return ctxs[stay[0]["id"]] if stay else {}


def has_household_plan(situation: dict) -> bool:
    """Several households, or a member who changes household or becomes head
    (situation.md, "Several households"): the 住民異動届 is then one per household after
    the event, with its own new head."""
    persons = [p for p in situation.get("persons", []) if not p.get("outside")]
    keys = {p.get("household", "") for p in persons}
    return len(keys) > 1 or any("household_after" in p or p.get("head_after") for p in persons)


def _leaving(situation: dict, persons: list[dict]) -> set:
    leaving = {situation.get("deceased")}
    if situation.get("event", "") in MOVING_OUT:
        leaving |= {p["id"] for p in persons if p.get("moving", True)}
    return leaving


def _household_groups(situation: dict, pids: list[str], persons: dict) -> list[list[str]]:
    """The persons of a per-household form grouped by their household after the event;
    on a 世帯変更 with no person named, those whose household or head changes."""
    if not pids and situation.get("event") == "household_change":
        pids = [
            pid
            for pid, p in persons.items()
            if after_key(p) != p.get("household", "") or p.get("head_after")
        ]
    groups: dict[str, list[str]] = {}
    for pid in pids:
        groups.setdefault(after_key(persons[pid]), []).append(pid)
    return list(groups.values())


def _procedure_persons(result: dict, form: FormSpec) -> tuple[list[dict], list[str]]:
    procs = [p for p in result.get("procedures", []) if form.id in (p.get("forms") or [])]
    persons: list[str] = []
    for p in procs:
        for pid in p.get("persons") or []:
            if pid not in persons:
                persons.append(pid)
    return procs, persons


def _kids(situation: dict, order: list[dict], on: dt.date, child_age_limit: int) -> list[str]:
    """The kids of the situation (``rules.family``: child-allowance age and a parent in
    the household), in household order, the deceased left out."""
    if not any(p.get("relationship") == "head" for p in order):
        return []
    s = {**situation, "event_date": on}
    out = []
    for p in order:
        if p.get("outside"):  # never a member, never a kid of this household
            continue
        birth = as_date(p.get("birth_date"))
        if birth and p["id"] != situation.get("deceased") and is_kid(p, s, birth, child_age_limit):
            out.append(p["id"])
    return out


def _era_year(year: int) -> str:
    """令和7年 for 2025 (the year of a 4月1日)."""
    from madoguchi.core.wareki import to_wareki

    name, y, _m, _d = to_wareki(dt.date(year, 4, 1))
    return f"{name}{'元' if y == 1 else y}年"


def _newborns(situation: dict, ctxs: dict, notifier: dict, on: dt.date) -> dict:
    """Each newborn of a birth as the 出生届 sees it (``rules.birth``: 嫡出子 or not,
    父母との続き柄, the census year; its own weight; the parents' ages at the birth and the
    notifier's 資格), and its (father, mother) contexts: a parent of the situation, else
    the name entered at the counter for a parent from outside."""
    from madoguchi.rules.ages import completed_years
    from madoguchi.rules.birth import census_year, legitimate, mother_father, parents_zokugara
    from madoguchi.rules.family import kin_of
    from madoguchi.rules.situation import SituationError, validate

    try:  # a visit's merged situation names its events (documents.services.visit_situation)
        s = validate({k: v for k, v in situation.items() if k != "events"})
    except SituationError:
        return {}
    kin = kin_of(s)
    members = {p["id"] for p in s["persons"]}
    raw = {p.get("id"): p for p in situation.get("persons") or []}
    census = census_year(on)
    out = {}
    for nid in s["newborns"]:
        ctx = ctxs.get(nid)
        if ctx is None:
            continue
        mom, dad = mother_father(nid, kin, s["mother"])
        parents = []
        for pid, name_key in ((dad, "father_name"), (mom, "mother_name")):
            if pid and pid in ctxs:
                parents.append(ctxs[pid])
            else:
                parents.append({"name": ctx.get(name_key, "")} if ctx.get(name_key) else {})
        ctx["newborn_weight_g"] = str(s["birth_weights_g"].get(nid, ""))
        ctx["legitimacy"] = "嫡出子" if legitimate(nid, kin, s["mother"]) else "嫡出でない子"
        # the earlier children as the parents told the clerk, where the register's count
        # was overridden (counter: 「同じ父母のこれまでの子」)
        told = (raw.get(nid, {}).get("register") or {}).get("prior_children")
        ctx["parents_zokugara"] = parents_zokugara(
            nid, kin, s["mother"], tuple(s["newborns"]), prior=told or None
        )
        ctx["census_year"] = _era_year(census) if census else ""
        for key, parent in (("father_age", parents[0]), ("mother_age", parents[1])):
            born = as_date(parent.get("birth_date"))
            ctx[key] = str(completed_years(born, on)) if born else ""
        who = notifier.get("id")
        ctx["notifier_qualification"] = (
            "父"
            if who and who == dad
            else "母"
            if who and who == mom
            else "同居者"
            if who in members
            else "その他の立会者"
            if notifier.get("name")
            else ""
        )
        out[nid] = (parents[0], parents[1])
    return out


def documents_for(
    situation: dict,
    result: dict,
    forms: dict[str, FormSpec],
    base: dict,
    child_age_limit: int = 18,
) -> list[tuple[FormSpec, dict, list[dict]]]:
    """Which documents the bundle holds: (form, subject context, member contexts) per
    copy, forms in catalog order of their first procedure, per-person forms once per
    person concerned (persons in legal household order)."""
    persons = {p["id"]: p for p in situation.get("persons", [])}
    order = sorted(persons.values(), key=legal_order_key)
    rank = {p["id"]: i for i, p in enumerate(order)}
    seen: list[str] = []
    for proc in result.get("procedures", []):
        for fid in proc.get("forms") or []:
            if fid not in forms:
                raise DocumentError(f"procedures[{proc['id']}].forms", f"no form {fid!r}")
            if fid not in seen:
                seen.append(fid)
    on = as_date(situation.get("event_date")) or dt.date.today()
    kids = _kids(situation, order, on, child_age_limit)
    docs = []
    for fid in seen:
        form = forms[fid]
        procs, pids = _procedure_persons(result, form)
        pids = sorted((p for p in pids if p in persons), key=rank.get)
        source = (form.members or {}).get("from", "persons")
        if form.per == "person" and pids:
            for pid in pids:
                mine = [p for p in procs if pid in (p.get("persons") or [])]
                members = {"persons": [pid], "kids": kids, "household": list(rank)}[source]
                docs.append((form, {"subject": pid, "procedures": mine}, members))
        elif form.per == "household" and source == "persons" and has_household_plan(situation):
            members_all = [p for p in persons.values() if not p.get("outside")]
            leaving = _leaving(situation, members_all)
            for group in _household_groups(situation, pids, persons):
                key = after_key(persons[group[0]])
                head = head_after(key, members_all, leaving)
                subject = head["id"] if head and head["id"] in group else group[0]
                doc = {"subject": subject, "procedures": procs}
                if head:
                    doc["new_head"] = head["id"]
                docs.append((form, doc, group))
        else:
            # a household-level procedure alone (世帯主変更) lists those who stay
            stay = [p for p in rank if p != situation.get("deceased")]
            subject = pids[0] if pids else base["new_head"].get("id", base["head_id"])
            members = {"persons": pids or stay, "kids": kids, "household": list(rank)}[source]
            docs.append((form, {"subject": subject, "procedures": procs}, members))
    return docs


def build_data(
    situation: dict,
    result: dict,
    forms: dict[str, FormSpec],
    municipality: dict,
    guide: dict,
    notified_on: dt.date,
    applicant: dict | None = None,
    child_age_limit: int = 18,
) -> tuple[dict, list[Overflow], int]:
    """The JSON document Typst lays out: every document with its bound fields and
    member rows, the overflow list and the guide; plus the overflow entries and the
    handwriting count. ``applicant``: the person at the counter (``engine.applicant``)."""
    persons = situation.get("persons") or []
    members_all = [p for p in persons if not p.get("outside")]
    heads = [p for p in members_all if p.get("relationship") == "head"]
    head = heads[0] if heads else (persons[0] if persons else {})
    # each member's own head (several households: situation.md)
    head_of_household = {p.get("household", ""): p for p in heads}
    own_head = {p["id"]: head_of_household.get(p.get("household", ""), head) for p in persons}
    ctxs = {p["id"]: person_context(p, own_head[p["id"]]) for p in persons}
    head_ctx = ctxs.get(head.get("id"), {})
    plan = has_household_plan(situation)
    event = situation.get("event", "")
    base = {
        "head_id": head.get("id"),
        "head": head_ctx,
        "event": {
            "id": event,
            "name": EVENT_JA.get(event, event),
            "date": str(situation.get("event_date", "")),
        },
        "notified_on": notified_on.isoformat(),
        "municipality": municipality,
        "situation": {k: v for k, v in situation.items() if k != "persons"},
    }
    deceased = situation.get("deceased")
    base["notifier"] = applicant_context(applicant, ctxs, head_ctx, deceased)
    base["new_head"] = _new_head(situation, members_all, head, ctxs)
    earners = [p for p in persons if "primary_earner" in (p.get("flags") or [])]
    base["guardian"] = ctxs[earners[0]["id"]] if earners else head_ctx
    base["deceased"] = ctxs.get(deceased, {}) if deceased else {}
    on = as_date(situation.get("event_date")) or notified_on
    parents_of_newborn = (
        _newborns(situation, ctxs, base["notifier"], on) if event == "birth" else {}
    )
    for ctx in ctxs.values():
        _addresses(ctx, event)
        ctx["school_grade"] = school_grade(ctx["birth_date"], on)
        # 旧世帯主 per person: as registered (the head at the former address on a move-in),
        # else, for those leaving or moving within, the head of this household
        mine = ctxs.get(own_head[ctx["id"]].get("id"), head_ctx) if ctx.get("id") else head_ctx
        ctx["former_head_name"] = ctx.get("former_head") or (
            (mine.get("former_name") or mine.get("name", ""))
            if plan or event in (*MOVING_OUT, "move_within")
            else ""
        )
    overflow: list[Overflow] = []
    handwritten = 0
    documents = []
    copies: dict[str, int] = {}
    for form, doc, member_ids in documents_for(situation, result, forms, base, child_age_limit):
        rows = int((form.members or {}).get("rows", 0)) or None
        chunks = [member_ids]
        if form.members and rows and len(member_ids) > rows:
            chunks = [member_ids[i : i + rows] for i in range(0, len(member_ids), rows)]
        for part, chunk in enumerate(chunks):
            copies[form.id] = copies.get(form.id, 0) + 1
            binder = Binder(form, copies[form.id], overflow)
            ctx = dict(base)
            ctx["person"] = ctxs.get(doc["subject"], {})
            if plan:
                # the head before of the subject's household, and the head after of this copy
                ctx["head"] = ctxs.get(own_head[doc["subject"]]["id"], head_ctx)
                if "new_head" in doc:
                    ctx["new_head"] = ctxs[doc["new_head"]]
            ctx["spouse"] = _spouse_of(ctx["person"], situation, ctxs)
            ctx["father"], ctx["mother"] = parents_of_newborn.get(doc["subject"], ({}, {}))
            if applicant is not None:
                if ctx["notifier"].get("id") and ctx["notifier"].get("id") == doc["subject"]:
                    ctx["notifier"] = dict(ctx["person"], relationship_ja="本人")
            elif form.per == "person" and _signs_for_self(ctx["person"], deceased, on):
                ctx["notifier"] = dict(ctx["person"], relationship_ja="本人")
            ctx["members"] = [ctxs[m] for m in chunk if m in ctxs]
            bound = {f["id"]: binder.bind(f, ctx) for f in form.fields}
            members = []
            for i, m in enumerate(ctx["members"]):
                mctx = dict(ctx, member=m)
                members.append(
                    {
                        f["id"]: binder.bind(f, mctx, f"{i + 1}人目 ")
                        for f in (form.members or {}).get("fields", [])
                    }
                    | {"rel": m.get("relationship"), "id": m["id"], "flags": m["flags"]}
                )
            handwritten += binder.handwritten
            documents.append(
                {
                    "form": form.id,
                    "name": form.name,
                    "copy": copies[form.id],
                    "sheet": part + 1,
                    "sheets": len(chunks),
                    "rows": rows or 0,
                    "notes": [str(n) for n in form.raw.get("notes") or []],
                    "procedures": [p["id"] for p in doc["procedures"]],
                    "procedure_names": [p.get("name", p["id"]) for p in doc["procedures"]],
                    "event": event,
                    "household_plan": plan,
                    "situation": base["situation"],
                    "subject": {
                        k: ctx["person"].get(k)
                        for k in ("id", "relationship", "sex", "flags", "nationality")
                    },
                    "f": bound,
                    "members": members,
                    "municipality": municipality,
                }
            )
    data = {
        "documents": documents,
        "overflow": [o.as_dict() for o in overflow],
        "guide": guide,
        "municipality": municipality,
        "notified_on": format_wareki(notified_on),
    }
    return data, overflow, handwritten


def blank_fields(data: dict, forms: dict[str, FormSpec]) -> list[dict]:
    """Every bound field left blank on the printed forms (what the resident or the clerk
    would still write by hand): form, copy, field id, label, member row (0: the form's
    own fields) and the binding's ``from``. A value moved to the 超過リスト is not blank."""
    out = []
    for doc in data["documents"]:
        form = forms[doc["form"]]
        rows = [(0, form.fields, doc["f"])]
        member_specs = (form.members or {}).get("fields", [])
        rows += [(i + 1, member_specs, m) for i, m in enumerate(doc["members"])]
        for row, specs, bound in rows:
            for spec in specs:
                v = bound.get(spec["id"]) or {}
                if not v.get("text") and not v.get("ref"):
                    out.append(
                        {
                            "form": doc["form"],
                            "copy": doc["copy"],
                            "field": spec["id"],
                            "label": spec.get("label", spec["id"]),
                            "row": row,
                            "from": spec.get("from", ""),
                        }
                    )
    return out
