"""The 異動 record of signed visits, for the core resident-register system (基幹系), and
its reconciliation with the next register import (docs/ido.md).

Today staff would re-key every move, newborn and new household into the core system.
``records(visit)`` gives, for a signed visit, one row per person per 異動 (event): who,
which event and date, old and new address, the household before and after with their
heads, the 続柄 to the head after, 本籍・筆頭者 and a new name. ``write_files`` writes
them as JSON and CSV (the columns of :data:`COLUMNS`, documented in docs/ido.md).
``reconcile`` compares them with the register as last imported: each row is found in
its new state (一致), still waiting (反映待ち, within the grace days) or listed for a
clerk (相違 / 未反映, with the fields that differ). No 個人番号 anywhere.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from madoguchi.rules.facts import (
    COUPLE_EVENTS,
    EVENT_NAMES,
    MOVE_EVENTS,
    MOVE_IN_EVENTS,
    MOVE_OUT_EVENTS,
)
from madoguchi.rules.family import newborns_of
from madoguchi.rules.situation import after_key, head_after

# (column, Japanese heading): the file's columns, in order (docs/ido.md)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("visit_id", "案件番号"),
    ("signed_at", "署名日時"),
    ("event", "異動事由コード"),
    ("event_name", "異動事由"),
    ("event_date", "異動日"),
    ("notified_on", "届出日"),
    ("atena_no", "宛名番号"),
    ("name", "氏名"),
    ("kana", "フリガナ"),
    ("former_name", "変更前の氏名"),
    ("birth_date", "生年月日"),
    ("sex", "性別"),
    ("nationality", "国籍"),
    ("old_postal_code", "旧住所 郵便番号"),
    ("old_address", "旧住所"),
    ("new_postal_code", "新住所 郵便番号"),
    ("new_address", "新住所"),
    ("household_before", "異動前の世帯番号"),
    ("head_before", "異動前の世帯主"),
    ("household_after", "異動後の世帯番号（new1…: 新しい世帯）"),
    ("head_after", "異動後の世帯主"),
    ("zokugara_after", "異動後の続柄"),
    ("honseki", "本籍"),
    ("hittousha", "筆頭者"),
    ("notifier", "届出人"),
    ("record_type", "記録区分（ido 異動 / cancel 取消）"),
    ("person", "案件内の人番号"),
    ("support_measure", "支援措置（1: 対象者）"),
)
SEX = {"male": "1", "female": "2"}


def _concerned(sit: dict) -> list[str]:
    """The persons an event moves or changes (one row each)."""
    persons = [p for p in sit["persons"] if not p.get("outside")]
    event = sit["event"]
    if event in MOVE_EVENTS:
        return [p["id"] for p in persons if p.get("moving", True)]
    members = {p["id"] for p in persons}
    if event == "birth":  # twins: one row per newborn
        return [n for n in newborns_of(sit) if n in members]
    if event == "death":  # a deceased from outside changes no record of this city
        return [sit["deceased"]] if sit.get("deceased") in members else []
    if event in COUPLE_EVENTS:  # a spouse living elsewhere: their city's record
        return [c for c in sit.get("couple") or [] if c in members]
    return [
        p["id"] for p in persons if after_key(p) != p.get("household", "") or p.get("head_after")
    ]


def _addresses(event: str, reg: dict) -> dict:
    here_postal = reg.get("postal_code", "")
    here = f"{reg.get('address', '')}{reg.get('address_extra', '')}"
    if event in MOVE_OUT_EVENTS:
        old, new = (here_postal, here), (reg.get("new_postal_code", ""), reg.get("new_address", ""))
    elif event in MOVE_EVENTS:
        old, new = (
            (reg.get("former_postal_code", ""), reg.get("former_address", "")),
            (here_postal, here),
        )
    else:
        old, new = (here_postal, here), ("", "")
    return {
        "old_postal_code": old[0],
        "old_address": old[1],
        "new_postal_code": new[0],
        "new_address": new[1],
    }


def records(visit) -> list[dict]:
    """One row per person per 異動 of a signed visit (``counter.determination``'s
    situations: the data the bundle was printed from)."""
    from . import determination

    sits = determination.situations(visit)
    households = {vp.pid: vp.data.get("household", "") for vp in visit.persons.all()}
    state = visit.state or {}
    applicant = state.get("applicant") or {}
    withdrawn = set(state.get("withdrawn") or {})
    rows = []
    for sit in sits:
        persons = [p for p in sit["persons"] if not p.get("outside")]
        by_id = {p["id"]: p for p in sit["persons"]}
        names = {pid: (p.get("register") or {}).get("name", "") for pid, p in by_id.items()}
        former = {
            pid: (p.get("register") or {}).get("former_name") or names[pid]
            for pid, p in by_id.items()
        }
        heads_before = {
            households.get(p["id"], ""): p["id"] for p in persons if p["relationship"] == "head"
        }
        procs = {p["id"] for p in (visit.result or {}).get("procedures", [])} - withdrawn
        if sit["event"] in MOVE_EVENTS and not any(pr.startswith("registry.") for pr in procs):
            continue  # the move itself was withdrawn
        notifier = names.get(applicant.get("person", ""), "") or applicant.get("name", "")
        atena_of = {pid: (p.get("register") or {}).get("atena_no", "") for pid, p in by_id.items()}
        for pid in _concerned(sit):
            p = by_id[pid]
            reg = p.get("register") or {}
            key = households.get(pid, "")
            head_b = heads_before.get(key)
            after = p.get("household_after") or key
            head_a = (
                head_after(after_key(p), persons, set())
                if ("household_after" in p or p.get("head_after"))
                else by_id.get(head_b)
            )
            rows.append(
                {
                    "visit_id": visit.pk,
                    "signed_at": visit.signed_at.isoformat(timespec="seconds")
                    if visit.signed_at
                    else "",
                    "event": sit["event"],
                    "event_name": EVENT_NAMES[sit["event"]],
                    "event_date": str(sit["event_date"]),
                    "notified_on": timezone.localtime(visit.signed_at).date().isoformat()
                    if visit.signed_at
                    else "",
                    "atena_no": reg.get("atena_no", ""),
                    "name": reg.get("name", ""),
                    "kana": reg.get("kana", ""),
                    "former_name": reg.get("former_name", ""),
                    "birth_date": str(p.get("birth_date", "")),
                    "sex": SEX.get(p.get("sex"), ""),
                    "nationality": p.get("nationality", "JP"),
                    **_addresses(sit["event"], reg),
                    "household_before": "" if key == "paper" else key,
                    "head_before": former.get(head_b, "") if head_b else "",
                    "household_after": "" if after == "paper" else after,
                    "head_after": names.get(head_a["id"], "") if head_a else "",
                    "zokugara_after": reg.get("zokugara_after") or reg.get("zokugara", ""),
                    "honseki": reg.get("honseki", ""),
                    "hittousha": reg.get("hittousha", ""),
                    "notifier": notifier,
                    "record_type": "ido",
                    "person": pid,
                    "support_measure": "",
                    # who decides the flag: the person, or a parent for a person not in
                    # the register yet (a newborn); dropped below
                    "_protect_by": [atena_of[pid]]
                    if atena_of.get(pid)
                    else [atena_of.get(x, "") for x in p.get("parents") or []],
                }
            )
    _flag_protected(rows)
    return rows


def _flag_protected(rows: list[dict]) -> None:
    """Mark the rows of 支援措置 persons (``support_measure`` = "1"): the core system may
    see them, and must know that it must protect them. A person not in the register yet
    (a newborn) is marked when a parent is protected. The register's flag and a same-day
    hold count (``protected_atena_nos``)."""
    from madoguchi.register.services import protected_atena_nos

    protected = protected_atena_nos({a for r in rows for a in r["_protect_by"] if a})
    for r in rows:
        r["support_measure"] = "1" if protected & set(r.pop("_protect_by")) else ""


def signed_visits(on: date | None = None, visit_id: int | None = None):
    from .models import Visit, VisitStep

    qs = Visit.objects.filter(step=VisitStep.DONE).order_by("signed_at", "pk")
    if visit_id is not None:
        qs = qs.filter(pk=visit_id)
    if on is not None:
        qs = qs.filter(signed_at__date=on)
    return qs


def to_csv(rows: list[dict]) -> str:
    """CSV with a header of the column ids (UTF-8; the headings are in docs/ido.md)."""
    out = io.StringIO()
    w = csv.DictWriter(out, fieldnames=[c for c, _h in COLUMNS], lineterminator="\r\n")
    w.writeheader()
    for row in rows:
        w.writerow(row)
    return out.getvalue()


def to_json(rows: list[dict], header: dict | None = None) -> str:
    """``{header…, "columns": {id: 見出し}, "records": [row …]}`` (docs/ido.md)."""
    return json.dumps(
        {**(header or {}), "columns": dict(COLUMNS), "records": rows}, ensure_ascii=False, indent=1
    )


# ------------------------------------------------------------------ reconciliation


@dataclass
class Check:
    row: dict
    status: str  # 一致 | 反映待ち | 相違 | 未反映 | 要確認
    differences: list[tuple[str, str, str]] = field(
        default_factory=list
    )  # (field, counter, register)
    masked: bool = False
    # a person the visit added without 宛名番号 (newborn, paper move-in), found in the
    # register by its stable attributes: the 宛名番号 matched (recorded or not yet) …
    new_atena: str = ""
    # … or the candidates a clerk chooses from (要確認)
    candidates: list = field(default_factory=list)


def expected_state(row: dict) -> dict:
    """What the register should say after the 異動 (field -> value)."""
    event = row["event"]
    if event in MOVE_OUT_EVENTS:
        return {"status": "2"}
    if event == "death":
        return {"status": "3"}
    out: dict = {"status": "1"}
    if event in MOVE_EVENTS:
        out["address"] = row["new_address"]
    if row["former_name"]:
        out["name"] = row["name"]
    after = row["household_after"]
    if after and after != row["household_before"]:
        if after.startswith("new"):
            out["household_changed_from"] = row["household_before"]
        else:
            out["household"] = after
    if row["zokugara_after"] and event in ("household_change", *MOVE_IN_EVENTS, "move_within"):
        out["zokugara"] = row["zokugara_after"]
    return out


def compare(row: dict, person) -> list[tuple[str, str, str]]:
    """The fields where the register differs from what the counter recorded."""
    diffs = []
    for key, want in expected_state(row).items():
        if key == "status":
            got = person.status
        elif key == "address":
            got = f"{person.address}{person.katagaki}"
        elif key == "name":
            got = person.name
        elif key == "household":
            got = person.household.household_no
        elif key == "household_changed_from":
            got = person.household.household_no
            if got != want:
                continue
            want = "（新しい世帯）"
        else:
            got = person.relationship
        if got != want:
            diffs.append((key, str(want), str(got)))
    return diffs


# ------------------------------------------------------- persons without 宛名番号


def person_key(row: dict) -> str:
    return f"{row['visit_id']}:{row['person']}"


def unregistered(rows: list[dict]) -> dict[str, dict]:
    """The persons the visits added without 宛名番号 (a newborn, a paper move-in) and
    what the register should hold of them after the 異動: key -> the stable attributes
    (氏名 as recorded, birth date, sex, the address after, the 世帯番号 joined)."""
    out: dict[str, dict] = {}
    for row in rows:
        if row["atena_no"] or row["event"] in MOVE_OUT_EVENTS or row["event"] == "death":
            continue
        if not row.get("person") or not row.get("birth_date"):
            continue
        moved = row["event"] in MOVE_EVENTS and row["new_address"]
        after = row["household_after"]
        want = out.setdefault(person_key(row), {"name": row["name"], "sex": row["sex"]})
        want["birth_date"] = date.fromisoformat(row["birth_date"][:10])
        if moved or not want.get("address"):
            want["address"] = row["new_address"] if moved else row["old_address"]
        if after and not after.startswith("new") and after != "paper":
            want["household"] = after
    return out


def match(want: dict, candidates: list, masked: int, taken: set[str]):
    """The conservative rule: ``("match", person)`` when exactly one candidate has the
    same 氏名 (as stored: never normalised), birth date, sex and address after the 異動,
    and is in the 世帯番号 the person joined (when the visit joined one); otherwise
    ``("ask", candidates)`` for a clerk (several, or only near ones: another name, another
    address), ``("masked", [])`` when a candidate is hidden from this reader (支援措置), or
    ``("none", [])``. ``taken``: 宛名番号 already persons of the visit."""
    cands = [c for c in candidates if c.atena_no not in taken]
    if masked:
        return "masked", []
    exact = [
        c
        for c in cands
        if c.name == want["name"]
        and f"{c.address}{c.katagaki}" == want.get("address")
        and (not want.get("household") or c.household.household_no == want["household"])
    ]
    if len(exact) == 1:
        return "match", exact[0]
    if cands:
        return "ask", sorted(cands, key=lambda c: (c not in exact, c.atena_no))
    return "none", []


def candidate_dict(person, want: dict) -> dict:
    return {
        "atena_no": person.atena_no,
        "name": person.name,
        "same_name": person.name == want["name"],
        "birth_date": person.birth_date.isoformat(),
        "address": f"{person.address}{person.katagaki}",
        "same_address": f"{person.address}{person.katagaki}" == want.get("address"),
        "household_no": person.household.household_no,
    }


def reconcile(
    rows: list[dict],
    persons: dict,
    masked: set,
    today: date,
    grace_days: int,
    found: dict | None = None,
):
    """Each row against the register: ``persons`` atena_no -> the current record (read
    through the register's front door), ``masked`` the atena_nos the reader may not
    see (支援措置); ``found`` person key -> (outcome, persons) of :func:`match` for the
    persons without 宛名番号."""
    found = found or {}
    out = []
    for row in rows:
        signed = date.fromisoformat(row["notified_on"]) if row["notified_on"] else today
        waiting = today < signed + timedelta(days=grace_days)
        atena = row["atena_no"]
        new_atena = ""
        if not atena and row.get("person") and person_key(row) in found:
            outcome, hit = found[person_key(row)]
            if outcome == "masked":
                out.append(Check(row, "要確認", masked=True))
                continue
            if outcome == "ask":
                out.append(Check(row, "要確認", candidates=hit))
                continue
            if outcome == "match":
                new_atena = atena = hit.atena_no
                persons = {**persons, atena: hit}
        if atena in masked:
            out.append(Check(row, "要確認", masked=True))
            continue
        person = persons.get(atena) if atena else None
        if person is None:
            out.append(Check(row, "反映待ち" if waiting else "未反映"))
            continue
        diffs = compare(row, person)
        if not diffs:
            out.append(Check(row, "一致", new_atena=new_atena))
        else:
            out.append(Check(row, "反映待ち" if waiting else "相違", diffs, new_atena=new_atena))
    return out


def reconcile_visits(visits, user, today: date, grace_days: int) -> list[Check]:
    """Every 異動 record of ``visits`` against the register, read through its front door
    (``register.services.persons_for_reconcile``: audited, 支援措置 masked); the persons
    without 宛名番号 are looked for among the register's residents
    (``candidates_for_reconcile``, audited) and matched by :func:`match`."""
    from madoguchi.register.services import (
        MASKED_LABEL,
        candidates_for_reconcile,
        may_see_protected,
        persons_for_reconcile,
    )

    rows = [r for v in visits for r in records(v)]
    persons, masked = persons_for_reconcile(
        [r["atena_no"] for r in rows], user, query="ido.reconcile"
    )
    if not may_see_protected(user):
        # a row the record marks 支援措置 (a newborn of a protected parent, a person
        # protected since signing): masked like a protected resident, never searched for
        for r in rows:
            if r.get("support_measure") == "1":
                r["atena_no"] = r["atena_no"] or f"protected:{person_key(r)}"
                masked.add(r["atena_no"])
    wants = unregistered(rows)
    found: dict = {}
    if wants:
        cands, hidden = candidates_for_reconcile(wants, user, query="ido.reconcile")
        taken: dict[int, set[str]] = {}
        for r in rows:
            if r["atena_no"]:
                taken.setdefault(r["visit_id"], set()).add(r["atena_no"])
        # one register person matches one person of the visits: claimed twice, both ask
        outcomes = {
            key: match(
                want,
                cands.get(key, []),
                hidden.get(key, 0),
                taken.get(int(key.split(":")[0]), set()),
            )
            for key, want in wants.items()
        }
        claims = Counter(hit.atena_no for outcome, hit in outcomes.values() if outcome == "match")
        for key, (outcome, hit) in outcomes.items():
            if outcome == "match" and claims[hit.atena_no] > 1:
                outcomes[key] = ("ask", [hit])
        for key, (outcome, hit) in outcomes.items():
            if outcome == "ask":
                hit = [candidate_dict(c, wants[key]) for c in hit]
            found[key] = (outcome, hit)
    checks = reconcile(rows, persons, masked, today, grace_days, found)
    for c in checks:
        if c.masked:  # nothing of a protected person reaches staff without the permission
            c.row = {
                k: (
                    str(MASKED_LABEL)
                    if k not in ("visit_id", "event", "event_name", "person")
                    else v
                )
                for k, v in c.row.items()
            }
    return checks


def link_person(visit_id: int, pid: str, atena_no: str, actor, how: str) -> None:
    """Record on the visit's person the 宛名番号 the core system gave them (a newborn, a
    paper move-in): the next reconciliations compare them like any resident. ``how``:
    ``auto`` (the conservative rule) or ``clerk`` (chosen among the candidates). Audited
    (``ido.link``), flagged for a protected person."""
    from django.db import transaction

    from madoguchi.audit.services import record
    from madoguchi.register.services import protected_atena_nos

    from .models import VisitPerson, VisitStep

    with transaction.atomic():
        vp = (
            VisitPerson.objects.select_for_update()
            .select_related("visit")
            .filter(visit_id=visit_id, pid=pid)
            .first()
        )
        if vp is None or vp.visit.step != VisitStep.DONE:
            raise LinkError(f"案件 {visit_id} の {pid}: 署名済みの案件の人ではありません")
        if vp.atena_no:
            if vp.atena_no == atena_no:
                return
            raise LinkError(f"案件 {visit_id} の {pid}: 宛名番号はもう記録されています")
        if vp.visit.persons.filter(atena_no=atena_no).exists():
            raise LinkError(f"宛名番号 {atena_no} はこの案件の別の人です")
        data = dict(vp.data)
        data["register"] = {**(data.get("register") or {}), "atena_no": atena_no}
        data["register_link"] = {
            "atena_no": atena_no,
            "how": how,
            "by": getattr(actor, "username", "") or "system",
            "at": timezone.now().isoformat(timespec="seconds"),
        }
        vp.atena_no = atena_no
        vp.data = data
        vp.save(update_fields=["atena_no", "data"])
        record(
            actor,
            "ido.link",
            query=f"visit:{visit_id}:{pid} {how}",
            person_ids=[atena_no],
            flagged=bool(protected_atena_nos([atena_no])),
        )


class LinkError(ValueError):
    """The 宛名番号 cannot be recorded on this person (message names what)."""


def link_matches(checks: list[Check], actor) -> int:
    """Record every match of the conservative rule (``Check.new_atena``); the count."""
    done: set[str] = set()
    for c in checks:
        if c.new_atena and not c.masked:
            key = person_key(c.row)
            if key in done:
                continue
            try:
                link_person(c.row["visit_id"], c.row["person"], c.new_atena, actor, "auto")
            except LinkError:
                continue  # recorded meanwhile (another clerk): the next run shows it
            done.add(key)
    return len(done)


def link_choice(visit_id: int, pid: str, atena_no: str, user, today: date, days: int) -> None:
    """A clerk chose ``atena_no`` among the candidates listed for the person (要確認):
    the choice must still be one of them (read again through the register's door). Call
    outside a transaction: the audit row of the read is committed before a refusal."""
    from django.db import transaction

    from .models import Visit, VisitStep

    visit = Visit.objects.filter(pk=visit_id, step=VisitStep.DONE).first()
    if visit is None:
        raise LinkError(f"案件 {visit_id}: 署名済みの案件がありません")
    with transaction.atomic():  # the read is audited even when the choice is refused
        checks = reconcile_visits([visit], user, today, days)
    for c in checks:
        if c.row.get("person") == pid and any(x["atena_no"] == atena_no for x in c.candidates):
            link_person(visit_id, pid, atena_no, user, "clerk")
            return
        if c.row.get("person") == pid and c.new_atena == atena_no:
            link_person(visit_id, pid, atena_no, user, "auto")
            return
    raise LinkError(f"宛名番号 {atena_no} はこの人の候補ではありません")


FIELD_NAMES = {
    "status": "住民の状態",
    "address": "住所",
    "name": "氏名",
    "household": "世帯番号",
    "household_changed_from": "世帯番号",
    "zokugara": "続柄",
}
STATUS_NAMES = {"1": "住民", "2": "転出者", "3": "死亡者", "9": "その他消除者", "P": "転入予定"}


def check_dict(c: Check) -> dict:
    return {
        "status": c.status,
        "visit_id": c.row["visit_id"],
        "event": c.row["event"],
        "atena_no": c.row["atena_no"],
        "person": c.row.get("person", ""),
        "name": c.row["name"],
        "new_atena": c.new_atena,
        "candidates": c.candidates,
        "differences": [
            {
                "field": f,
                "counter": STATUS_NAMES.get(a, a) if f == "status" else a,
                "register": STATUS_NAMES.get(b, b) if f == "status" else b,
            }
            for f, a, b in c.differences
        ],
    }


def check_line(c: Check) -> str:
    d = check_dict(c)
    diffs = "；".join(
        f"{FIELD_NAMES.get(x['field'], x['field'])}: 窓口「{x['counter']}」台帳「{x['register']}」"
        for x in d["differences"]
    )
    found = f"宛名番号 {c.new_atena} と照合；" if c.new_atena else ""
    if c.candidates:
        found = "候補: " + "、".join(
            f"{x['atena_no']} {x['name']}{'' if x['same_name'] else '（氏名が異なる）'}"
            for x in c.candidates
        )
    return f"{c.status}\t案件{d['visit_id']}\t{c.row['event_name']}\t{d['name']}\t{found}{diffs}"
