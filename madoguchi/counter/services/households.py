"""Households at the counter (situation.md, "Several households"): who moves into which
household, who heads it, the 続柄 to the new head, and the new surname, 本籍 and 筆頭者 a
marriage or a divorce gives.

A person joins the visit with the household they belong to in the register
(``data["household"]``, the 世帯番号; ``paper`` for a family entered from a paper
転出証明書). The plan says, per person, the household after the event
(``household_after``: another household of the visit, or a new one ``new1`` …) and who
heads it (``head_after``). The 続柄 to the new head is derived by ``rules.zokugara`` from
the family ties and may be set by the clerk where the ties do not tell.
"""

from __future__ import annotations

import copy

from django.db import transaction
from django.utils.translation import gettext as _

from madoguchi.rules import zokugara

from ..households import NEW_HOUSEHOLDS, household_keys
from ..models import VisitPerson
from .errors import CounterError
from .visit import _commit, _edit, _lock


def set_households(
    visit_id: int,
    version: int,
    actor,
    after: dict[str, str],
    heads: list[str],
    zokugara_after: dict[str, str] | None = None,
    zokugara_reason: dict[str, str] | None = None,
):
    """The households after the event. ``after``: pid → "" (stays in its household), a
    household of the visit (its 世帯番号) or a new household (``new1`` …); ``heads``: the
    pids who head their household after the event (a new household's head, chosen by the
    residents; a new head of an existing household — the one member of a new household
    heads it without being named). The 続柄 to the new head is derived
    from the family ties (``rules.zokugara.derive``); ``zokugara_after``: pid → the 続柄
    the clerk sets instead, with its reason in ``zokugara_reason`` (required whenever it
    differs from the derived one; recorded in the person's edits). Blank, or equal to the
    derived one: the derived 続柄. One bad value writes nothing."""
    from .. import determination
    from ..households import derive_ties

    zokugara_after = zokugara_after or {}
    zokugara_reason = zokugara_reason or {}
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        persons = {p.pid: p for p in visit.persons.all()}
        keys = set(household_keys(persons.values())) | set(NEW_HOUSEHOLDS)
        for pid in [*after, *heads, *zokugara_after, *zokugara_reason]:
            if pid not in persons:
                raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
        for pid, key in after.items():
            if key and key not in keys:
                raise CounterError(_("異動後の世帯が不正です: %(k)s") % {"k": key}, f"after.{pid}")
        for pid, text in zokugara_after.items():
            if text.strip():
                try:
                    zokugara.classify(text.strip())
                except ValueError:
                    raise CounterError(
                        _("続柄を判別できません: %(z)s") % {"z": text.strip()},
                        f"zokugara_after.{pid}",
                    ) from None
        kept = {
            pid: vp.data["zokugara_reason"]
            for pid, vp in persons.items()
            if vp.data.get("zokugara_reason")
            and vp.data.get("zokugara_after")
            == (zokugara_after.get(pid, vp.data.get("zokugara_after")) or "").strip()
        }
        # a new household of one member: that member heads it (nothing to choose)
        heads = list(heads)
        final = {
            pid: after.get(pid, vp.data.get("household_after", "")) for pid, vp in persons.items()
        }
        for new in NEW_HOUSEHOLDS:
            members = [pid for pid, key in final.items() if key == new]
            if len(members) == 1 and members[0] not in heads:
                heads.append(members[0])
        for pid, vp in persons.items():
            data = copy.deepcopy(vp.data)
            key = after.get(pid, data.get("household_after", ""))
            if key and key != (data.get("household") or ""):
                data["household_after"] = key
            else:
                data.pop("household_after", None)
            if pid in heads:
                data["head_after"] = True
            else:
                data.pop("head_after", None)
            if pid in zokugara_after:
                text = zokugara_after[pid].strip()
                if text:
                    data["zokugara_after"] = text
                else:
                    data.pop("zokugara_after", None)
                    data.pop("zokugara_reason", None)
            if data != vp.data:
                vp.data = data
                vp.save(update_fields=["data"])
        ties = derive_ties(determination.situations(visit))
        _check_overrides(visit, actor, ties, zokugara_reason, kept)
        _commit(visit, actor, "visit.set_households")
    return visit


def _check_overrides(visit, actor, ties: dict, reasons: dict[str, str], kept: dict) -> None:
    """Every 続柄 the clerk set: equal to the derived one → dropped (nothing overridden);
    different → its reason is required (the one given now, or the one kept with the same
    override) and recorded as an edit (derived → chosen, reason). A person whose household
    no longer changes loses the override."""
    for vp in visit.persons.all():
        data = copy.deepcopy(vp.data)
        chosen = data.get("zokugara_after")
        if not chosen:
            continue
        derived = ties.get(vp.pid)
        if derived is None or chosen == derived.text:
            data.pop("zokugara_after", None)
            data.pop("zokugara_reason", None)
            vp.data = data
            vp.save(update_fields=["data"])
            continue
        reason = (reasons.get(vp.pid) or "").strip()
        if not reason and not kept.get(vp.pid):
            name = data.get("register", {}).get("name") or vp.pid
            raise CounterError(
                _("%(n)s: 続柄を「%(d)s」から「%(c)s」に変える理由を入力してください")
                % {"n": name, "d": derived.text, "c": chosen},
                f"zokugara_reason.{vp.pid}",
            )
        if reason and reason != kept.get(vp.pid):
            edits = list(vp.edits)
            _edit(data, edits, "zokugara_after", chosen, reason, actor)
            edits[-1]["before"] = derived.text
            data["zokugara_reason"] = reason
            vp.data, vp.edits = data, edits
            vp.save(update_fields=["data", "edits"])


def set_new_name(
    visit_id: int,
    version: int,
    actor,
    pid: str,
    surname: str,
    surname_kana: str = "",
    honseki: str = "",
    hittousha: str = "",
):
    """The surname a marriage or a divorce gives ``pid`` (and the new 本籍 and 筆頭者 where
    they change): the forms print the new name, the former one as 変更前の氏名. All blank:
    the record is removed. The given name is kept as registered (never normalised)."""
    surname, surname_kana = surname.strip(), surname_kana.strip()
    honseki, hittousha = honseki.strip(), hittousha.strip()
    with transaction.atomic():
        visit = _lock(visit_id, version, actor)
        vp: VisitPerson | None = visit.persons.filter(pid=pid).first()
        if vp is None:
            raise CounterError(_("不明な人: %(p)s") % {"p": pid}, "pid")
        data = copy.deepcopy(vp.data)
        data.pop("name_after_from", None)  # given for this person now
        if not (surname or honseki or hittousha):
            data.pop("name_after", None)
        else:
            if surname_kana and not surname:
                raise CounterError(_("新しい氏を入力してください"), "surname")
            data["name_after"] = {
                k: v
                for k, v in (
                    ("surname", surname),
                    ("surname_kana", surname_kana),
                    ("honseki", honseki),
                    ("hittousha", hittousha),
                )
                if v
            }
        vp.data = data
        vp.save(update_fields=["data"])
        _share_family_register(visit, vp, honseki, hittousha)
        _commit(visit, actor, "visit.set_new_name", person_ids=[vp.atena_no] if vp.atena_no else [])
    return visit


def _share_family_register(visit, vp: VisitPerson, honseki: str, hittousha: str) -> None:
    """A marriage puts the couple in one 戸籍: the new 本籍 and 筆頭者 given for one
    spouse are the other's too, unless the other's were given already (typed once)."""
    if not (honseki or hittousha):
        return
    for ev in visit.events.filter(event="marriage"):
        couple = ev.details.get("couple") or []
        if vp.pid not in couple:
            continue
        for other in visit.persons.filter(pid__in=[p for p in couple if p != vp.pid]):
            data = copy.deepcopy(other.data)
            after = dict(data.get("name_after") or {})
            if after.get("honseki") or after.get("hittousha"):
                continue
            after.update({k: v for k, v in (("honseki", honseki), ("hittousha", hittousha)) if v})
            data["name_after"] = after
            data["name_after_from"] = vp.pid  # marked on the screen: 「配偶者と同じ戸籍」
            other.data = data
            other.save(update_fields=["data"])
