"""From a visit to situations, to the determined procedures, to the questions and the bundle.

``situations(visit)`` builds one situation per life event of the visit (same persons;
``moving`` only in the move event); ``refresh(visit)`` runs ``determine_visit`` and
stores the result with the catalog version on the visit (or the error naming the
field); ``questions(visit)`` lists the interview questions that matter: a catalog
question is asked of a person only when its answer would change the procedures.
"""

from __future__ import annotations

import copy

from django.utils.translation import gettext as _

from madoguchi.rules.facts import MOVE_EVENTS, MOVE_OUT_EVENTS
from madoguchi.rules.interview import question_targets
from madoguchi.rules.situation import BOOL_DETAILS


def catalog():
    """The configured catalog: the one cache, ``catalog.loader.current_catalog``."""
    from madoguchi.catalog.loader import current_catalog

    return current_catalog()


def _same_prefecture(visit, persons) -> bool | None:
    new = (visit.state or {}).get("new_address") or {}
    pref = new.get("prefecture")
    formers = [p.data.get("register", {}).get("former_address", "") for p in persons if p.involved]
    formers = [f for f in formers if f]
    if not pref or not formers:
        return None
    return all(f.startswith(pref) for f in formers)


def _new_address_block(addr: dict) -> dict:
    return {
        "postal_code": addr.get("postal_code", ""),
        "address": f"{addr.get('prefecture', '')}{addr.get('city', '')}{addr.get('town', '')}"
        f"{addr.get('banchi', '')}",
        "address_extra": addr.get("katagaki", ""),
    }


def _moved_register(reg: dict, event: str, new_addr: dict) -> None:
    """Register fields of a person who moves, as the documents engine reads them:
    moving in or within, ``address`` is the new one and ``former_address`` the old one;
    moving out, the destination goes to ``new_address``."""
    block = _new_address_block(new_addr)
    if event in MOVE_OUT_EVENTS:
        reg["new_postal_code"] = block["postal_code"]
        reg["new_address"] = f"{block['address']}{block['address_extra']}"
        return
    # 旧住所 of a move within the city is the current address, never the 転入前住所 the
    # register keeps from an earlier move-in
    if reg.get("address") and (event == "move_within" or not reg.get("former_address")):
        reg["former_address"] = f"{reg['address']}{reg.get('address_extra', '')}"
        reg["former_postal_code"] = reg.get("postal_code", "")
    reg.update(block)


def situations(visit) -> list[dict]:
    from .households import derive_zokugara_after, situation_persons

    persons = list(visit.persons.all())
    events = list(visit.events.all())
    new_addr = (visit.state or {}).get("new_address")
    phone = (visit.state or {}).get("contact_phone")  # captured once: every form's 電話番号
    out = []
    for ev in events:
        sit: dict = {"event": ev.event, "event_date": visit.event_date.isoformat()}
        plist = []
        for vp in persons:
            p = copy.deepcopy(vp.data)
            p.pop("sources", None)  # where the register facts came from: for the screen
            p["id"] = vp.pid
            if phone and not p.get("register", {}).get("phone"):
                p.setdefault("register", {})["phone"] = phone
            if p.get("outside"):
                p.pop("moving", None)
            elif ev.event in MOVE_EVENTS:
                p["moving"] = bool(vp.involved)
                if vp.involved and new_addr:
                    _moved_register(p.setdefault("register", {}), ev.event, new_addr)
            else:
                p.pop("moving", None)
            plist.append(p)
        situation_persons(persons, plist)
        sit["persons"] = plist
        details = dict(ev.details)
        if ev.event == "move_in" and "same_prefecture" not in details:
            same = _same_prefecture(visit, persons)
            if same is not None:
                details["same_prefecture"] = same
        sit.update(details)
        out.append(sit)
    # the 続柄 to the head after the event, printed by every form of every event
    derived = derive_zokugara_after(out)
    for sit in out:
        for p in sit["persons"]:
            if derived.get(p["id"]):
                p.setdefault("register", {})["zokugara_after"] = derived[p["id"]]
    return out


def catalog_of(visit):
    """The catalog version the visit was determined with (its label, kept on the visit),
    so that printing and reprinting render what was determined and signed; the current
    one for a visit determined before versions had labels."""
    from madoguchi.catalog import versions

    return versions.of(visit.catalog_version)


def run(sits: list[dict], cat=None) -> dict:
    from madoguchi.rules import determine, determine_visit

    cat = cat or catalog()
    if len(sits) == 1:
        return determine(sits[0], cat)
    return determine_visit(sits, cat)


def _error_dict(exc) -> dict:
    return {
        "field": getattr(exc, "field", ""),
        "message": getattr(exc, "message", None) or str(exc),
        "message_en": getattr(exc, "message_en", ""),  # shown on English pages
    }


def refresh(visit) -> None:
    """Recompute the visit's procedures; keep the catalog version and the explanation."""
    from madoguchi.rules import SituationError

    state = dict(visit.state or {})
    state.pop("determine_error", None)
    sits = situations(visit)
    if not sits or not visit.persons.exists():
        visit.result = {}
        visit.state = state
        return
    cat = catalog()
    try:
        result = run(sits, cat)
    except SituationError as exc:
        state["determine_error"] = _error_dict(exc)
        visit.result = {}
    else:
        # procedures the resident withdrew (counter.services.undo) leave the list
        withdrawn = state.get("withdrawn") or {}
        if withdrawn:
            result["withdrawn"] = [p for p in result["procedures"] if p["id"] in withdrawn]
            result["procedures"] = [p for p in result["procedures"] if p["id"] not in withdrawn]
        visit.result = result
        # the law's version in force and the exact published version (its files)
        visit.catalog_version = {**result.get("catalog", {}), "label": cat.label}
    visit.state = state


def _signature(result: dict) -> set:
    return {(p["id"], tuple(sorted(p.get("persons", [])))) for p in result.get("procedures", [])}


def questions(visit) -> list[dict]:
    """Catalog questions that matter now: answering yes/no would change the procedures.

    A fact the register already holds is not asked (it is shown pre-filled instead);
    a question already answered in this visit stays on the list so it can be changed.
    """
    from madoguchi.rules import SituationError

    if not visit.result.get("procedures"):
        return []
    sits = situations(visit)
    base = _signature(visit.result)
    answered = {tuple(x) for x in (visit.state or {}).get("answered", [])}
    out, seen = [], set()
    for q in catalog().questions:
        for si, sit in enumerate(sits):
            if sit["event"] not in q.events:
                continue
            asks = q.asks
            if asks.startswith("event."):
                detail = asks[6:]
                if detail not in BOOL_DETAILS or (sit["event"], detail) in seen:
                    continue
                if not question_targets(q, sit):
                    continue  # ひとり親 with a spouse in the household (rules.fit)
                current = bool(sit.get(detail))
                trial = copy.deepcopy(sits)
                trial[si][detail] = not current
                key = ("event", sit["event"], detail)
                targets = [None]
            else:
                pids = {p["id"] for p in sit["persons"]}
                targets = [t for t in question_targets(q, sit) if t in pids]
            for pid in targets:
                if pid is not None:
                    if asks in ("health_insurance", "health_insurance_before", "pension"):
                        continue  # shown as editable facts of the person, not yes/no
                    if asks == "moving":
                        continue
                    person = next(p for p in sit["persons"] if p["id"] == pid)
                    current = asks in person.get("flags", [])
                    key = ("person", pid, asks)
                    if key in seen:
                        continue
                    trial = copy.deepcopy(sits)
                    tp = next(p for p in trial[si]["persons"] if p["id"] == pid)
                    tp["flags"] = (
                        [f for f in tp.get("flags", []) if f != asks]
                        if current
                        else [*tp.get("flags", []), asks]
                    )
                    if current and key not in answered:
                        continue  # the register already says yes
                seen.add(key)
                try:
                    changed = _signature(run(trial)) != base
                except SituationError:
                    changed = False
                if not changed and key not in answered:
                    continue
                out.append(
                    {
                        "id": q.id,
                        "key": "|".join(str(k) for k in key),
                        "pid": pid,
                        "event": sit["event"],
                        "asks": asks,
                        "text": q.text,
                        "value": current,
                        "answered": key in answered,
                    }
                )
    return out


def render(visit, guide_only: bool = False):
    """The bundle (forms + guide sheet) of the visit's situation and determination;
    ``guide_only``: the guide sheet alone (a reprint after a change that alters only it)."""
    from madoguchi.documents.services import render_bundle

    from . import safety

    sits = situations(visit)
    if not sits or not visit.result.get("procedures"):
        raise ValueError(_("手続が決まっていません"))
    # One bundle per visit: the documents engine merges the visit's situations (the move
    # event leads, so the 住民異動届 prints 新住所/旧住所 for a marriage with a move).
    from .services.atcounter import marked_result

    state = visit.state or {}
    return render_bundle(
        sits,
        marked_result(visit),  # 「窓口で手続済み」 on the guide sheet
        catalog_of(visit),
        tuple(state.get("guide_languages") or ("ja",)),  # English only when asked for
        applicant=_applicant(state),
        # the 届出日 of the counter's checks (counter/safety.py): a reprint carries the
        # date of the first print, as signed
        notified_on=safety.notified_on(visit),
        guide_only=guide_only,
    )


def _applicant(state: dict) -> dict | None:
    """The person at the counter; someone from outside gets the visit's contact phone."""
    applicant = state.get("applicant")
    if applicant and applicant.get("name") and state.get("contact_phone"):
        return {"phone": state["contact_phone"], **applicant}
    return applicant
