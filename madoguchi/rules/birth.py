"""What the 出生届 derives from the family (戸籍法 49条, 戸籍法施行規則 附録第11号様式):
the child's 父母との続き柄 and whether the birth falls in a 国勢調査 year.

One source: the documents engine prints these, the counter shows them; nothing else
counts children.

- **嫡出子 / 嫡出でない子**: a child of a mother and a father who are spouses (in the
  situation after the event: ``Kin.spouse``) is 嫡出子 (民法 772条); a child with no father
  named, or whose parents are not spouses, is 嫡出でない子.
- **長男・二女 …**: the children of the same parents (嫡出子: the same father and mother;
  嫡出でない子: the same mother, no father married to her) of the same sex, ordered by birth
  date and, for twins born the same day, by the order of ``newborns``; the child's place
  in that order gives 長 / 二 / 三 … + 男 / 女. Since 2004 a 嫡出でない子 is counted the same
  way among its mother's children born outside marriage (平成16年法務省民一第3008号通達).
  Only the children the register and the visit know are counted: a child of the same
  parents living elsewhere, deceased, or born before the family moved into the city is
  not, so the clerk confirms the count with the parents and, where it differs, gives it
  (``prior``: the earlier children of the same parents by sex, an override kept with its
  reason by the counter); the newborn's place is then that count plus the twins of the
  same sex born before it, plus one.
- **国勢調査の年**: 父母の職業 is asked only for a birth from 1 April of a census year
  (every fifth year: 2020, 2025, 2030 …) to the following 31 March.
"""

from __future__ import annotations

from datetime import date

from .zokugara import Kin

ORDINALS = ("長", "二", "三", "四", "五", "六", "七", "八", "九", "十")
CENSUS_EVERY = 5
CENSUS_BASE = 2020  # 令和2年国勢調査


def mother_father(pid: str, kin: Kin, mother: str | None = None) -> tuple[str | None, str | None]:
    """The child's mother and father among its parents (``mother``: the birth's mother)."""
    parents = kin.parents.get(pid, ())
    mom = (
        mother
        if mother in parents
        else next((p for p in parents if kin.sex.get(p) == "female"), None)
    )
    dad = next((p for p in parents if p != mom and kin.sex.get(p) != "female"), None)
    return mom, dad


def legitimate(pid: str, kin: Kin, mother: str | None = None) -> bool:
    """嫡出子: the mother and the father are spouses."""
    mom, dad = mother_father(pid, kin, mother)
    return bool(mom and dad and kin.spouse.get(mom) == dad)


def _same_parents(pid: str, other: str, kin: Kin, mother: str | None) -> bool:
    """Whether ``other`` is a child of the same parents as ``pid`` for the count (嫡出子:
    the same father and mother; 嫡出でない子: the same mother, born outside marriage)."""
    mom, dad = mother_father(pid, kin, mother)
    m, f = mother_father(other, kin)
    if legitimate(pid, kin, mother):
        return m == mom and f == dad
    return m == mom and mom is not None and not legitimate(other, kin)


def prior_children(
    pid: str, kin: Kin, mother: str | None = None, birth_order: tuple[str, ...] = ()
) -> dict[str, int]:
    """The children of the same parents born before this birth that the register and the
    visit know, by sex: ``{"male": 1, "female": 0}`` (the newborns of this birth,
    ``birth_order``, are not counted). The counter shows it as 「住民記録より」."""
    born = kin.birth.get(pid) or date.max
    out = {"male": 0, "female": 0}
    for other in kin.parents:
        if other == pid or other in birth_order or kin.sex.get(other) not in out:
            continue
        if (kin.birth.get(other) or date.max) <= born and _same_parents(pid, other, kin, mother):
            out[kin.sex[other]] += 1
    return out


def parents_zokugara(
    pid: str,
    kin: Kin,
    mother: str | None = None,
    birth_order: tuple[str, ...] = (),
    prior: dict[str, int] | None = None,
) -> str:
    """父母との続き柄: 長男, 長女, 二男, 三女 … (see the module's rules). ``birth_order``:
    the newborns of one birth in birth order (twins born the same day); ``prior``: the
    earlier children of the same parents by sex as the parents told the clerk, in place of
    the register's count (``prior_children``)."""
    sex = kin.sex.get(pid)
    if sex not in ("male", "female"):
        return ""
    earlier = prior if prior is not None else prior_children(pid, kin, mother, birth_order)
    twins = birth_order[: birth_order.index(pid)] if pid in birth_order else ()
    before = sum(1 for t in twins if kin.sex.get(t) == sex and _same_parents(pid, t, kin, mother))
    n = int(earlier.get(sex, 0)) + before
    ordinal = ORDINALS[n] if n < len(ORDINALS) else f"{n + 1}"
    return ordinal + ("男" if sex == "male" else "女")


def census_year_birth(born: date) -> bool:
    """Whether a birth on ``born`` asks 父母の職業 (a 国勢調査 year: 1 April of the census
    year to the next 31 March)."""
    year = born.year if born.month >= 4 else born.year - 1
    return (year - CENSUS_BASE) % CENSUS_EVERY == 0


def census_year(born: date) -> int | None:
    """The census year a birth's 父母の職業 is asked for, or None."""
    year = born.year if born.month >= 4 else born.year - 1
    return year if census_year_birth(born) else None
