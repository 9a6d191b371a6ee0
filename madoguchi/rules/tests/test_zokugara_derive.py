"""続柄 to a new head derived from parent links and marriages (rules.zokugara.derive):
scenarios a clerk meets and properties over generated families (hypothesis)."""

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from madoguchi.rules import zokugara as Z
from madoguchi.rules.zokugara import Kin

# A three-generation family with in-laws, a second marriage and a lodger:
#   gf ─ gm            wf ─ wm (the wife's parents)
#     │                  │
#   h (head) ═ w ────────┘      b (h's older brother) ═ bw
#     │      │  └ ws (w's son from her first marriage)   │
#    s ═ sw  d                                            n (b's daughter: h's niece)
#    │
#    g (s's son: grandchild)
#   l: a lodger, no tie; pm: g's mother's … none: x is the mother of d's child c (not married)
BORN = {
    "gf": date(1940, 1, 1),
    "gm": date(1942, 1, 1),
    "wf": date(1945, 1, 1),
    "wm": date(1947, 1, 1),
    "h": date(1968, 1, 1),
    "w": date(1970, 1, 1),
    "b": date(1965, 1, 1),
    "bw": date(1966, 1, 1),
    "ws": date(1992, 1, 1),
    "s": date(1995, 1, 1),
    "sw": date(1996, 1, 1),
    "d": date(1998, 1, 1),
    "n": date(1999, 1, 1),
    "g": date(2020, 1, 1),
    "x": date(1997, 1, 1),
    "c": date(2022, 1, 1),
    "l": date(1980, 1, 1),
}
MALE = {"gf", "wf", "h", "b", "ws", "s", "g", "x", "l"}
PARENTS = {
    "h": ("gf", "gm"),
    "b": ("gf", "gm"),
    "w": ("wf", "wm"),
    "s": ("h", "w"),
    "d": ("h", "w"),
    "ws": ("w",),
    "n": ("b", "bw"),
    "g": ("s", "sw"),
    "c": ("d", "x"),
}
COUPLES = [("gf", "gm"), ("wf", "wm"), ("h", "w"), ("b", "bw"), ("s", "sw")]


def family() -> Kin:
    spouse = {}
    for a, b in COUPLES:
        spouse[a], spouse[b] = b, a
    return Kin(
        sex={p: "male" if p in MALE else "female" for p in BORN},
        birth=dict(BORN),
        parents=dict(PARENTS),
        spouse=spouse,
    )


@pytest.mark.parametrize(
    "pid,expected",
    [
        ("h", "世帯主"),
        ("w", "妻"),
        ("s", "子"),
        ("d", "子"),
        ("sw", "子の妻"),
        ("g", "子の子"),  # 孫
        ("gf", "父"),
        ("gm", "母"),
        ("wf", "妻の父"),
        ("wm", "妻の母"),
        ("b", "兄"),
        ("bw", "兄の妻"),
        ("n", "兄の子"),  # 姪
        ("ws", "妻の子"),  # a stepson
        ("c", "子の子"),
        ("x", "縁故者"),  # the father of the head's grandchild, not married to the daughter
        ("l", "同居人"),  # no tie known
    ],
)
def test_ties_to_the_head(pid, expected):
    assert Z.zokugara_to_head(pid, "h", family()) == expected
    Z.classify(expected)  # every derived 続柄 is one the register classifies


@pytest.mark.parametrize(
    "head,pid,expected",
    [
        ("s", "h", "父"),  # the son heads a new household with his parents
        ("s", "d", "妹"),
        ("s", "ws", "兄"),  # a half-brother by their mother
        ("s", "gf", "父の父"),
        ("s", "wm", "母の母"),
        ("s", "n", "父の兄の子"),  # his cousin: three tokens, still written
        ("s", "bw", "父の兄の妻"),
        ("sw", "h", "夫の父"),  # the daughter-in-law heads the household
        ("sw", "g", "子"),
        ("sw", "d", "夫の妹"),
        ("sw", "gf", "夫の父の父"),
        ("sw", "n", "縁故者"),  # 夫の父の兄の子: four tokens, too long to write
        ("n", "h", "父の弟"),  # the niece heads: her uncle
        ("g", "h", "父の父"),
        ("b", "g", "弟の子の子"),
    ],
)
def test_ties_to_other_heads(head, pid, expected):
    assert Z.derive(pid, head, family()).text == expected
    assert Z.derive(pid, head, family()).known == (expected not in Z.FALLBACKS)


def test_a_marriage_makes_the_in_laws():
    kin = family()
    single = Kin(kin.sex, kin.birth, kin.parents, {k: v for k, v in kin.spouse.items()
                                                    if {k, v} != {"s", "sw"}})  # fmt: skip
    assert Z.zokugara_to_head("sw", "h", single) == "縁故者"  # the mother of the grandchild
    assert Z.zokugara_to_head("sw", "h", kin) == "子の妻"


# --------------------------------------------------------------------------- properties

INVERSE = {
    "子": {"父", "母"},
    "父": {"子"},
    "母": {"子"},
    "夫": {"夫", "妻"},
    "妻": {"夫", "妻"},
    "兄": {"弟", "妹"},
    "姉": {"弟", "妹"},
    "弟": {"兄", "姉"},
    "妹": {"兄", "姉"},
}


@st.composite
def families(draw):
    """Persons born in order (a parent always older than its child), each with up to two
    older parents, and a few couples of distinct persons."""
    n = draw(st.integers(min_value=2, max_value=8))
    ids = [f"q{i}" for i in range(n)]
    birth = {p: date(1940 + 7 * i, 1 + i % 12, 1) for i, p in enumerate(ids)}
    sex = {p: draw(st.sampled_from(["male", "female"])) for p in ids}
    parents = {}
    for i, p in enumerate(ids):
        older = ids[:i]
        if older:
            chosen = draw(st.lists(st.sampled_from(older), max_size=2, unique=True))
            if chosen:
                parents[p] = tuple(chosen)
    spouse: dict[str, str] = {}
    for a, b in draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(ids)), max_size=3)):
        if a != b and a not in spouse and b not in spouse and a not in parents.get(b, ()) \
                and b not in parents.get(a, ()):  # fmt: skip
            spouse[a], spouse[b] = b, a
    return Kin(sex=sex, birth=birth, parents=parents, spouse=spouse), ids


SETTINGS = settings(max_examples=300, deadline=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))  # fmt: skip


def _connected(a: str, b: str, kin: Kin) -> bool:
    edges: dict[str, set[str]] = {}
    for child, ps in kin.parents.items():
        for p in ps:
            edges.setdefault(child, set()).add(p)
            edges.setdefault(p, set()).add(child)
    for x, y in kin.spouse.items():
        edges.setdefault(x, set()).add(y)
    seen, todo = {a}, [a]
    while todo:
        for nxt in edges.get(todo.pop(), ()):
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return b in seen


def every_pair(kin: Kin, ids: list[str]):
    """(head, pid, derived) for every ordered pair of the family."""
    return [(h, p, Z.derive(p, h, kin)) for h in ids for p in ids]


@SETTINGS
@given(families())
def test_every_derived_zokugara_is_registrable(fam):
    kin, ids = fam
    for head, pid, d in every_pair(kin, ids):
        Z.classify(d.text)  # never a text the register cannot take
        assert (d.text == "世帯主") == (pid == head)
        assert len(d.text.split("の")) <= Z.MAX_TOKENS
        assert Z.zokugara_to_head(pid, head, kin) == d.text


@SETTINGS
@given(families())
def test_direct_ties_win(fam):
    kin, ids = fam
    for head, pid, d in every_pair(kin, ids):
        if kin.spouse.get(head) == pid:
            assert d.text in ("夫", "妻")
        elif head in kin.parents.get(pid, ()):
            assert d.text == "子"
        elif pid in kin.parents.get(head, ()):
            assert d.text == ("父" if kin.sex[pid] == "male" else "母")


@SETTINGS
@given(families())
def test_one_token_ties_read_back(fam):
    """A one-token 続柄 seen from the other side is its inverse (子 ↔ 父/母, 夫 ↔ 妻, 兄 ↔
    弟/妹 …)."""
    kin, ids = fam
    for head, pid, d in every_pair(kin, ids):
        if d.text in INVERSE:
            assert Z.derive(head, pid, kin).text in INVERSE[d.text], (head, pid, d.text)


@SETTINGS
@given(families())
def test_fallback_only_when_no_tie_is_written(fam):
    """同居人 exactly when no tie joins the two; 縁故者 only when they are joined by ties
    too long to write (or through a child's other parent)."""
    kin, ids = fam
    for head, pid, d in every_pair(kin, ids):
        if pid != head:
            assert (d.text == Z.NO_TIE) == (not _connected(head, pid, kin))
            assert d.known == (d.text not in Z.FALLBACKS)
