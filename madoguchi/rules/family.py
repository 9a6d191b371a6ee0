"""Kids, parents, claimants and carers (procedures.md, spec v2 "Shorthand").

Who is a kid and who claims 児童手当 for it cannot be written in JSON Logic (a rule reads
one person or quantifies over everyone, never "the parent of that person"), so these
relations are computed here, once, and reach the catalog as person facts
(``claimant_of_moving_kid`` …, see :data:`madoguchi.rules.facts.PERSON_FACTS`).

- **parents**: the person's ``parents`` field, else the default of situation.md.
- **kid**: of child-allowance age (dated: the catalog parameter ``child_allowance_age_limit``)
  with at least one parent; **support-kid**: the 18-rule age whatever the date (児童扶養手当,
  ひとり親医療) with at least one parent.
- **claimant** of a kid K: among K's parents other than the deceased D, the one flagged
  ``primary_earner``; else the only one; else the head if among them; else the first
  listed. With no parent but D: the **carer** of K — the ``primary_earner`` (if neither K
  nor D), else the head (if neither K nor D), else the oldest other person who has
  reached 18 (on equal birth dates the first listed), else nobody.
- **Several households** (situation.md): default parents, the head and the carer are
  those of the kid's own household; a parent may be in another household of the
  situation or outside every household. A parent outside is never the claimant here: if
  the rule picks them (``primary_earner``), nobody claims at this city; otherwise the
  choice falls among the parents who are members.
"""

from __future__ import annotations

from datetime import date

from . import ages

# The claimant relations computed here (``claimant_of_…`` facts, each with a ``…_kids``
# text); facts.DERIVED_READS names what they depend on.
CLAIMANT_RELATIONS = (
    "claimant_of_moving_kid",
    "claimant_of_staying_kid",
    "claimant_of_newborn",
    "claimant_of_deceased_kid",
    "claimant_of_orphaned_kid",
    "claimant_of_orphaned_support_kid",
)


def newborns_of(s: dict) -> list[str]:
    """The newborns of a birth in birth order: ``newborns`` (twins, triplets …), else the
    one ``newborn``; empty for other events (situation.md, "Several newborns")."""
    if s.get("newborns"):
        return list(s["newborns"])
    return [s["newborn"]] if s.get("newborn") else []


def household_of(p: dict, s: dict) -> list[dict]:
    """The members of ``p``'s household (situation.md, "Several households"); a person
    outside is never one (a raw situation, as the documents engine reads it, lists them
    among ``persons``)."""
    key = p.get("household", "")
    return [x for x in s["persons"] if x.get("household", "") == key and not x.get("outside")]


def default_parents(p: dict, s: dict) -> list[str]:
    """situation.md, "Parents": the parents of ``p`` when its ``parents`` is absent, in
    ``p``'s own household."""
    persons = household_of(p, s)
    head = next(x["id"] for x in persons if x["relationship"] == "head")
    spouse = next((x["id"] for x in persons if x["relationship"] == "spouse"), None)
    if s["event"] == "birth" and p["id"] in newborns_of(s):
        mother = s["mother"]
        out = [mother]
        if p["relationship"] == "child":
            father = head if mother != head else spouse
            if father and father != mother:
                out.append(father)
        return out
    if p["relationship"] == "child":
        return [x for x in (head, spouse) if x and x != p["id"]]
    return []


def parents_of(p: dict, s: dict) -> list[str]:
    given = p.get("parents")
    return list(given) if given is not None else default_parents(p, s)


def is_kid(p: dict, s: dict, birth: date, child_age_limit: int) -> bool:
    """A kid at ``s["event_date"]`` (a date): of child-allowance age (``child_age_limit``,
    the catalog parameter in force) with at least one parent. ``birth``: ``p``'s birth."""
    return bool(parents_of(p, s)) and ages.until_march_after_reached(
        birth, s["event_date"], child_age_limit
    )


class Family:
    """The kid / support-kid / claimant relations of one situation at its event date."""

    def __init__(self, s: dict, child_age_limit: int):
        d: date = s["event_date"]
        self.s = s
        self.persons = s["persons"]
        self.by_id = {p["id"]: p for p in (*self.persons, *s.get("outside", ()))}
        self.members = {p["id"] for p in self.persons}
        self.deceased = s.get("deceased")
        self.parents = {p["id"]: parents_of(p, s) for p in self.persons}
        self.kid = {p["id"]: is_kid(p, s, p["birth_date"], child_age_limit) for p in self.persons}
        self.support_kid = {
            p["id"]: bool(self.parents[p["id"]]) and ages.support_age(p["birth_date"], d)
            for p in self.persons
        }
        self._claimant: dict[str, str | None] = {}

    def claimant(self, kid_id: str) -> str | None:
        """Who claims for the kid (or support-kid) ``kid_id``; None if nobody can."""
        if kid_id in self._claimant:
            return self._claimant[kid_id]
        among = [x for x in self.parents[kid_id] if x != self.deceased]
        if among:
            earners = [x for x in among if "primary_earner" in self.by_id[x]["flags"]]
            members = [x for x in among if x in self.members] or among
            if earners:
                who = earners[0]
            elif len(members) == 1:
                who = members[0]
            else:
                heads = [x for x in members if self.by_id[x]["relationship"] == "head"]
                who = heads[0] if heads else members[0]
        else:
            who = self.carer(kid_id)
        if who is not None and who not in self.members:
            who = None  # a parent outside the households claims where they live
        self._claimant[kid_id] = who
        return who

    def carer(self, kid_id: str) -> str | None:
        """The carer of a kid with no parent but the deceased, in the kid's household."""
        skip = {kid_id, self.deceased}
        household = household_of(self.by_id[kid_id], self.s)
        for p in household:
            if "primary_earner" in p["flags"] and p["id"] not in skip:
                return p["id"]
        for p in household:
            if p["relationship"] == "head" and p["id"] not in skip:
                return p["id"]
        d = self.s["event_date"]
        adults = [
            (p["birth_date"], i, p["id"])
            for i, p in enumerate(household)
            if p["id"] not in skip and ages.reached(p["birth_date"], d, 18)
        ]
        return min(adults)[2] if adults else None

    def claims_for(self, kids) -> dict[str, list[str]]:
        """Claimant id -> the kid ids (of ``kids``) it claims for."""
        out: dict[str, list[str]] = {}
        for k in kids:
            c = self.claimant(k)
            if c is not None:
                out.setdefault(c, []).append(k)
        return out

    def none_facts(self) -> dict:
        """The relational facts of a person outside every household: none holds."""
        out: dict = {
            "kid": False,
            "support_kid": False,
            "kid_of_couple": False,
            "support_kid_of_couple": False,
        }
        for name in CLAIMANT_RELATIONS:
            out[name] = False
            out[f"{name}_kids"] = ""
        return out

    def facts(self) -> dict[str, dict]:
        """Per person id, the relational facts the catalog's rules read, and for each
        ``claimant_of_…`` fact a ``…_kids`` text naming the kids with their birth dates
        (for the explanation: "異動する子（p3 2017-06-10 生まれ）の児童手当の請求者")."""
        persons = self.persons
        dead = self.deceased
        newborns = newborns_of(self.s)
        kids = [p["id"] for p in persons if self.kid[p["id"]]]
        skids = [p["id"] for p in persons if self.support_kid[p["id"]]]
        moving = {p["id"] for p in persons if p["moving"]}
        relations = {
            "claimant_of_moving_kid": self.claims_for(k for k in kids if k in moving),
            "claimant_of_staying_kid": self.claims_for(
                k for k in kids if k not in moving and k != dead
            ),
            "claimant_of_newborn": self.claims_for(k for k in kids if k in newborns),
            "claimant_of_deceased_kid": self.claims_for(k for k in kids if k == dead),
            "claimant_of_orphaned_kid": self.claims_for(
                k for k in kids if dead and k != dead and dead in self.parents[k]
            ),
            "claimant_of_orphaned_support_kid": self.claims_for(
                k for k in skids if dead and k != dead and dead in self.parents[k]
            ),
        }
        couple = set(self.s.get("couple", ()))
        out = {}
        for p in persons:
            pid = p["id"]
            of_couple = bool(couple & set(self.parents[pid]))
            facts: dict = {
                "kid": self.kid[pid],
                "support_kid": self.support_kid[pid],
                "kid_of_couple": self.kid[pid] and of_couple,
                "support_kid_of_couple": self.support_kid[pid] and of_couple,
            }
            for name, claims in relations.items():
                facts[name] = pid in claims
                facts[f"{name}_kids"] = ", ".join(
                    f"{k} {self.by_id[k]['birth_date'].isoformat()} 生まれ"
                    for k in claims.get(pid, ())
                )
            out[pid] = facts
        return out


def kin_of(s: dict):
    """The family ties of a validated situation for ``zokugara.zokugara_to_head``: parents
    (``parents`` or the default in each household), spouses (the head and the spouse of
    each household; a marriage's couple joins, a divorce's parts)."""
    from .zokugara import Kin

    members = s["persons"]
    everyone = [*members, *s.get("outside", ())]
    return Kin(
        sex={p["id"]: p.get("sex") for p in everyone},
        birth={p["id"]: p.get("birth_date") for p in everyone},
        parents={p["id"]: tuple(parents_of(p, s)) for p in members},
        spouse=spouses_of(s),
    )


def spouses_of(s: dict) -> dict[str, str]:
    """Who is whose spouse after the event: the head and the spouse of each household
    (``household`` keys, so two households of one visit never pair across), a marriage's
    couple joined, a divorce's parted. The deceased of a death keeps the tie (the 続柄 of
    the survivors still runs through it: 夫の父); a form asking for a living spouse leaves
    the deceased out itself. Outside persons (``outside``) are nobody's spouse here."""
    members = [p for p in s.get("persons", []) if not p.get("outside")]
    spouse: dict[str, str] = {}
    heads = {p.get("household", ""): p["id"] for p in members if p["relationship"] == "head"}
    for p in members:
        h = heads.get(p.get("household", ""))
        if p["relationship"] == "spouse" and h:
            spouse[p["id"]], spouse[h] = h, p["id"]
    couple = s.get("couple") or []
    events = s.get("events") or [s.get("event")]  # a visit's merged situation: all of them
    if len(couple) == 2:
        a, b = couple
        if "marriage" in events:
            for x in (a, b):  # a former tie of either (a remarriage's record) gives way
                if x in spouse:
                    spouse.pop(spouse.pop(x), None)
            spouse[a], spouse[b] = b, a
        elif "divorce" in events:
            for x in (a, b):
                spouse.pop(x, None)
    return spouse
