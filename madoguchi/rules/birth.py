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
  parents living elsewhere or deceased is not, so the clerk confirms it with the parents.
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


def parents_zokugara(
    pid: str, kin: Kin, mother: str | None = None, birth_order: tuple[str, ...] = ()
) -> str:
    """父母との続き柄: 長男, 長女, 二男, 三女 … (see the module's rules). ``birth_order``:
    the newborns of one birth in birth order (twins born the same day)."""
    sex = kin.sex.get(pid)
    if sex not in ("male", "female"):
        return ""
    mom, dad = mother_father(pid, kin, mother)
    own = legitimate(pid, kin, mother)

    def same_parents(other: str) -> bool:
        if kin.sex.get(other) != sex:
            return False
        m, f = mother_father(other, kin)
        if own:
            return m == mom and f == dad
        return m == mom and mom is not None and not legitimate(other, kin)

    rank = {p: i for i, p in enumerate(birth_order)}
    siblings = [p for p in kin.parents if p == pid or same_parents(p)]
    siblings.sort(key=lambda p: (kin.birth.get(p) or date.max, rank.get(p, -1), p))
    n = siblings.index(pid)
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
