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

import itertools
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


# The longest chain written as a 続柄 (子の妻の父 is written; anything longer is a relative
# whose tie is hard to write: 縁故者, 住民基本台帳事務処理要領 第2-1-(2)-エ).
MAX_TOKENS = 3
# A person with no known tie to the head: 同居人; known ties too long to write: 縁故者.
NO_TIE = "同居人"
FAR_TIE = "縁故者"
FALLBACKS = frozenset({NO_TIE, FAR_TIE})


def _word(kind: str, sex: str | None) -> str:
    male = sex == "male"
    return {
        "spouse": "夫" if male else "妻",
        "parent": "父" if male else "母",
        "child": "子",
    }[kind]


def _sibling_word(pid: str, of: str, kin: Kin) -> str:
    older = (kin.birth.get(pid) or date.max) < (kin.birth.get(of) or date.max)
    if kin.sex.get(pid) == "male":
        return "兄" if older else "弟"
    return "姉" if older else "妹"


def _edges(kin: Kin) -> dict[str, list[tuple[str, str]]]:
    """Each person's direct ties: (kind, other) with kind parent / child / spouse."""
    out: dict[str, list[tuple[str, str]]] = {}
    people = set(kin.sex) | set(kin.parents) | set(kin.spouse)
    for pid in people:
        out.setdefault(pid, [])
    for child, parents in kin.parents.items():
        for parent in parents:
            out.setdefault(child, []).append(("parent", parent))
            out.setdefault(parent, []).append(("child", child))
    for a, b in kin.spouse.items():
        if ("spouse", b) not in out.setdefault(a, []):
            out[a].append(("spouse", b))
    return out


def _tokens(path: list[tuple[str, str]], head: str, kin: Kin) -> list[str] | None:
    """The 続柄 chain of a path of ties from the head (head → … → the person): each token
    is the next person's relation to the one before (子の妻: the 妻 of the head's 子); a
    step to a parent and back down to another of that parent's children is one sibling
    token (父 + 子 → 兄/弟/姉/妹). None when the path is not written as a chain: down to a
    child and up to its other parent (the mother of the head's child, not married to the
    head, is a 縁故者)."""
    if any(a[0] == "child" and b[0] == "parent" for a, b in itertools.pairwise(path)):
        return None
    tokens: list[str] = []
    prev = head
    i = 0
    while i < len(path):
        kind, nxt = path[i]
        if kind == "parent" and i + 1 < len(path) and path[i + 1][0] == "child":
            sibling = path[i + 1][1]
            tokens.append(_sibling_word(sibling, prev, kin))
            prev = sibling
            i += 2
            continue
        tokens.append(_word(kind, kin.sex.get(nxt)))
        prev = nxt
        i += 1
    return tokens


def _paths(head: str, pid: str, kin: Kin, max_edges: int) -> list[list[tuple[str, str]]]:
    """Every simple path of ties from the head to ``pid`` of at most ``max_edges`` ties."""
    edges = _edges(kin)
    found: list[list[tuple[str, str]]] = []

    def walk(node: str, seen: set[str], path: list[tuple[str, str]]) -> None:
        if node == pid:
            found.append(list(path))
            return
        if len(path) >= max_edges:
            return
        for kind, other in edges.get(node, ()):
            if other in seen:
                continue
            # a parent's spouse who is the person's own other parent is reached as parent
            path.append((kind, other))
            seen.add(other)
            walk(other, seen, path)
            seen.discard(other)
            path.pop()

    walk(head, {head}, [])
    return found


@dataclass(frozen=True)
class Derived:
    """A 続柄 derived from the ties: ``text`` as the register writes it; ``known``: the
    ties say it (False: the fallback 縁故者 / 同居人, which the clerk checks)."""

    text: str
    known: bool


def derive(pid: str, head: str, kin: Kin) -> Derived:
    """The 続柄 of ``pid`` to ``head`` from the parent links and marriages known: the
    shortest chain of ties written as the register writes it (子, 妻, 父, 兄, 子の妻, 子の子,
    妻の父, 父の母, 兄の子, 妻の子, 子の子の子 …; at most :data:`MAX_TOKENS` tokens); on
    equal length the more direct tie (fewer steps), then blood before marriage. Ties too long to write: 縁故者;
    no tie known: 同居人."""
    if pid == head:
        return Derived("世帯主", True)
    best: tuple | None = None
    connected = False
    for path in _paths(head, pid, kin, max_edges=2 * MAX_TOKENS + 2):
        connected = True
        tokens = _tokens(path, head, kin)
        if tokens is None or len(tokens) > MAX_TOKENS:
            continue
        by_marriage = sum(1 for kind, _other in path if kind == "spouse")
        key = (len(tokens), len(path), by_marriage, "の".join(tokens))
        if best is None or key < best:
            best = key
    if best is not None:
        return Derived(best[-1], True)
    return Derived(FAR_TIE if connected else NO_TIE, False)


def zokugara_to_head(pid: str, head: str, kin: Kin) -> str:
    """The 続柄 of ``pid`` to the head ``head`` of the household they belong to after the
    event (a son who marries and becomes head: his wife is 妻; his mother joining him is
    母; his father's household's 世帯主 is his 父; his brother's child 兄の子), written as
    the register writes it; 縁故者 / 同居人 only when the ties known do not say
    (:func:`derive`)."""
    return derive(pid, head, kin).text
