"""Which person a question of the interview fits (issue 11, "questions fit the person").

The counter asks only what the register cannot say — and only of whom it can be true:

- 妊娠中 (``pregnant``): a woman of child-bearing age (``ages.CHILDBEARING_AGES``);
- 生計中心者 (``primary_earner``): an adult (``ages.adult``, 民法4条);
- 保育所等 (``nursery_enrolled``, ``nursery_wanted``): a child before school start
  (``ages.preschool``: 小学校就学前子ども, 子ども・子育て支援法 6条);
- ひとり親 (the birth's ``single_parent``): only when the mother has no spouse in her
  household (she is not the head's spouse, nor a head with a spouse).

One source for the interview of the rules (``interview.needed_facts``), the counter's
questions (HTML and API) and the answers step. ``SEX_OF_FLAG`` is also what
``situation.validate`` refuses: a man marked pregnant is an invalid situation (the
age ranges only decide what is asked; they are not a law of nature).
"""

from __future__ import annotations

from datetime import date

from . import ages

# a flag only a person of this sex can carry
SEX_OF_FLAG = {"pregnant": "female"}

# the 保育所等 questions: put to a child before school start only
PRESCHOOL_FLAGS = frozenset({"nursery_enrolled", "nursery_wanted"})


def _date(value) -> date | None:
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def flag_fits(flag: str, person: dict, on) -> bool:
    """Whether the yes/no question of ``flag`` is put to ``person`` (a situation person,
    dates as ``date`` or ISO text) on the event date ``on``."""
    sex = SEX_OF_FLAG.get(flag)
    if sex is not None and person.get("sex") not in (None, sex):
        return False
    birth, d = _date(person.get("birth_date")), _date(on)
    if birth is None or d is None:
        return flag != "pregnant"  # a pregnancy is asked only of a known age
    if flag == "pregnant":
        return ages.childbearing_age(birth, d)
    if flag == "primary_earner":
        return ages.adult(birth, d)
    if flag in PRESCHOOL_FLAGS:
        return ages.preschool(birth, d)
    return True


def has_spouse(s: dict, pid: str | None) -> bool:
    """The person ``pid`` has a spouse in her household (the head's 配偶者, or the head of
    a household with one)."""
    persons = s.get("persons", [])
    person = next((p for p in persons if p.get("id") == pid), None)
    if person is None or person.get("outside"):
        return False
    if person.get("relationship") == "spouse":
        return True
    if person.get("relationship") != "head":
        return False
    household = person.get("household")
    return any(
        p.get("relationship") == "spouse" and p.get("household") == household
        for p in persons
        if not p.get("outside")
    )


def detail_fits(detail: str, s: dict) -> bool:
    """Whether the event question of ``detail`` is put in situation ``s``."""
    if detail == "single_parent":
        return not has_spouse(s, s.get("mother"))
    return True
