"""続柄, classified once: a 続柄 text as registered → the situation's relationship to the
head and its place in the legal order of the household (世帯連記の記載順位).

Used by the register import (``Person.relationship_role``), the register's household
order (screens), the counter's prefill (the situation person) and the forms (the order
of a household on paper), so screen, situation and paper agree.

The legal order (register.md): 世帯主 → 配偶者 → the head's children by birth date →
the children's families (their spouses, then grandchildren and further descendants) →
父母, 兄弟姉妹, 祖父母 → other relatives → 縁故者 → 同居人. The 続柄 chain does not say
which child a 子の子 descends from, so the children's families follow all the children,
spouses first, then descendants by birth date. Children, descendants and siblings are
ordered by birth date; everyone else by group (父 before 母; 父方 before 母方
grandparents). Ties are the caller's (宛名番号).

Pure: no Django, no database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

# Legal-order groups.
HEAD, SPOUSE, CHILD, CHILD_SPOUSE, DESCENDANT = 0, 1, 2, 3, 4
PARENT, SIBLING, GRANDPARENT, OTHER_RELATIVE, ENKO, DOKYO = 5, 6, 7, 8, 9, 10
BY_BIRTH = frozenset({CHILD, DESCENDANT, SIBLING})

# A child of the head: 子, 養子/養女, and the older 長男/二男/長女 … forms.
_CHILD = re.compile(r"^(?:子|養子|養女|長男|長女|[二次三四五六七八九]男|[二三四五六七八九]女)$")
_SPOUSE = {"夫", "妻", "夫（未届）", "妻（未届）"}
_PARENT_RANK = {"父": 0, "母": 1, "養父": 2, "養母": 3}
_SIBLING = {"兄", "姉", "弟", "妹", "兄弟", "姉妹"}
_GRANDPARENT_RANK = {"父の父": 0, "父の母": 1, "母の父": 2, "母の母": 3}
# Adoption written after the token (子（養子）) keeps the token's place.
_ADOPTION_SUFFIXES = ("（養子）", "（養女）", "（養父）", "（養母）")
# The relationship of a group, and the group of a relationship when no 続柄 text is known.
_RELATIONSHIP_OF_GROUP = {
    HEAD: "head",
    SPOUSE: "spouse",
    CHILD: "child",
    CHILD_SPOUSE: "relative",
    DESCENDANT: "relative",
    PARENT: "parent",
    SIBLING: "sibling",
    GRANDPARENT: "relative",
    OTHER_RELATIVE: "relative",
    ENKO: "relative",
    DOKYO: "cohabitant",
}
GROUP_OF_RELATIONSHIP = {
    "head": HEAD,
    "spouse": SPOUSE,
    "child": CHILD,
    "parent": PARENT,
    "sibling": SIBLING,
    "relative": OTHER_RELATIVE,
    "cohabitant": DOKYO,
}


@dataclass(frozen=True)
class Zokugara:
    text: str  # the 続柄 as written, cleaned of spaces
    relationship: str  # the situation contract's relationship to the head
    group: int  # legal-order group
    rank: int  # order within the group that is not by birth (父 0, 母 1 …)

    @property
    def by_birth(self) -> bool:
        return self.group in BY_BIRTH


def clean(text: str) -> str:
    """The 続柄 without spaces, with half-width parentheses made full-width and an
    adoption suffix dropped (子（養子） → 子)."""
    text = (text or "").strip().replace(" ", "").replace("\u3000", "")
    text = text.replace("(", "（").replace(")", "）")
    for suffix in _ADOPTION_SUFFIXES:
        text = text.removesuffix(suffix)
    return text


@lru_cache(maxsize=1024)
def classify(text: str) -> Zokugara:
    """Classify a 続柄 text; ValueError when it cannot be classified."""
    rel = clean(text)
    group, rank = _group(rel)
    return Zokugara(rel, _RELATIONSHIP_OF_GROUP[group], group, rank)


def _group(rel: str) -> tuple[int, int]:
    if rel == "世帯主":
        return HEAD, 0
    if rel in _SPOUSE:
        return SPOUSE, 0
    if _CHILD.match(rel):
        return CHILD, 0
    if rel in _PARENT_RANK:
        return PARENT, _PARENT_RANK[rel]
    if rel in _SIBLING:
        return SIBLING, 0
    if rel == "孫":
        return DESCENDANT, 2
    if rel == "縁故者":
        return ENKO, 0
    if rel == "同居人":
        return DOKYO, 0
    tokens = rel.split("の")
    if len(tokens) >= 2 and all(tokens):
        if all(_CHILD.match(t) for t in tokens[:-1]):
            if tokens[-1] in _SPOUSE and len(tokens) == 2:
                return CHILD_SPOUSE, 0
            if _CHILD.match(tokens[-1]):
                return DESCENDANT, len(tokens)
        if rel in _GRANDPARENT_RANK:
            return GRANDPARENT, _GRANDPARENT_RANK[rel]
        return OTHER_RELATIVE, 0  # any other chain (妻の父, 兄の子 …) is a relative
    raise ValueError(f"続柄「{rel}」を区分できません")


def relationship_of(text: str) -> str:
    """The situation's relationship for a 続柄 (子の妻 → relative); ValueError if unknown."""
    return classify(text).relationship


def order_group(text: str | None, relationship: str | None = None) -> tuple[int, int]:
    """(group, rank) of a member: by the 続柄 text when it classifies, else by the
    situation relationship (an unknown relative goes with the other relatives)."""
    if text:
        try:
            z = classify(text)
            return z.group, z.rank
        except ValueError:
            pass
    return GROUP_OF_RELATIONSHIP.get(relationship or "", OTHER_RELATIVE), 0


def legal_order_key(
    text: str | None, relationship: str | None, birth: date | None
) -> tuple[int, int, int]:
    """The leading part of a member's sort key in the legal order; the caller appends
    its tie-breaks (宛名番号)."""
    group, rank = order_group(text, relationship)
    born = birth.toordinal() if (group in BY_BIRTH and birth) else 0
    return group, rank, born


# --------------------------------------------------------------------------- a new head


@dataclass(frozen=True)
class Kin:
    """What is known of the family ties of the persons of a visit: each person's sex and
    birth date, parents (ids) and spouse (id, after the event: a marriage adds one, a
    divorce removes one)."""

    sex: dict[str, str]
    birth: dict[str, date | None]
    parents: dict[str, tuple[str, ...]]
    spouse: dict[str, str]


def _word(kind: str, sex: str | None) -> str:
    male = sex == "male"
    return {
        "spouse": "夫" if male else "妻",
        "parent": "父" if male else "母",
    }[kind]


def zokugara_to_head(pid: str, head: str, kin: Kin) -> str | None:
    """The 続柄 of ``pid`` to the head ``head`` of the household they form after the event
    (a son who marries and becomes head: his wife is 妻; his mother joining him is 母; his
    father's household's 世帯主 is his 父), written as the register writes it (子の妻,
    子の子, 妻の父, 父の母 …). None when the ties known do not say (the clerk chooses)."""
    if pid == head:
        return "世帯主"
    sex = kin.sex.get(pid)
    parents = kin.parents.get(pid, ())
    head_parents = kin.parents.get(head, ())
    head_spouse = kin.spouse.get(head)
    if head_spouse == pid:
        return _word("spouse", sex)
    if head in parents:
        return "子"
    if pid in head_parents:
        return _word("parent", sex)
    partner = kin.spouse.get(pid)
    if partner and head in kin.parents.get(partner, ()):
        return "子の" + _word("spouse", sex)
    if any(head in kin.parents.get(p, ()) for p in parents):
        return "子の子"
    if set(parents) & set(head_parents):
        older = (kin.birth.get(pid) or date.max) < (kin.birth.get(head) or date.max)
        if sex == "male":
            return "兄" if older else "弟"
        return "姉" if older else "妹"
    if head_spouse and pid in kin.parents.get(head_spouse, ()):
        return _word("spouse", kin.sex.get(head_spouse)) + "の" + _word("parent", sex)
    for hp in head_parents:
        if pid in kin.parents.get(hp, ()):
            return _word("parent", kin.sex.get(hp)) + "の" + _word("parent", sex)
    return None
