"""Age rules against independent day-by-day computations (hypothesis)."""

import re
from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from madoguchi.rules import ages

births = st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31))
feb29 = st.sampled_from([date(y, 2, 29) for y in range(1904, 2029, 4)])


def is_birthday(birth: date, day: date) -> bool:
    """Independent: the anniversary, or 1 March for a 29 February birth in a common year."""
    if day <= birth:
        return False
    if (day.month, day.day) == (birth.month, birth.day):
        return True
    leap = day.year % 4 == 0 and (day.year % 100 != 0 or day.year % 400 == 0)
    return (birth.month, birth.day) == (2, 29) and not leap and (day.month, day.day) == (3, 1)


def count_birthdays(birth: date, d: date) -> int:
    """Completed years by walking year by year through the birthday candidates."""
    n = 0
    for year in range(birth.year + 1, d.year + 1):
        day = date(year, 1, 1)
        while day.year == year and day <= d:
            if is_birthday(birth, day):
                n += 1
                break
            day += timedelta(days=1)
    return n


@settings(max_examples=60, deadline=None)
@given(births, st.integers(min_value=0, max_value=40))
def test_completed_years_by_counting_days(birth, years):
    d = birth + timedelta(days=int(years * 365.2425) + (years % 7))
    assert ages.completed_years(birth, d) == count_birthdays(birth, d)


@settings(max_examples=200, deadline=None)
@given(st.one_of(births, feb29), st.integers(min_value=1, max_value=100))
def test_reached_is_the_day_before_the_birthday(birth, n):
    r = ages.reached_date(birth, n)
    # the day after reaching is a birthday, and exactly n birthdays have passed by then
    assert is_birthday(birth, r + timedelta(days=1))
    assert ages.completed_years(birth, r + timedelta(days=1)) == n
    assert ages.completed_years(birth, r) == n - 1
    assert ages.reached(birth, r, n) and not ages.reached(birth, r - timedelta(days=1), n)


@settings(max_examples=200, deadline=None)
@given(st.one_of(births, feb29))
def test_child_allowance_age_ends_on_the_first_31_march_after_reaching_18(birth):
    end = ages.march_end_after_reached(birth, 18)
    assert (end.month, end.day) == (3, 31)
    reach = ages.reached_date(birth, 18)
    assert reach <= end < reach + timedelta(days=366)
    # no 31 March strictly between reaching 18 and the end
    day = reach
    while day < end:
        assert (day.month, day.day) != (3, 31)
        day += timedelta(days=1)
    assert ages.child_allowance_age(birth, end)
    assert not ages.child_allowance_age(birth, end + timedelta(days=1))


@settings(max_examples=200, deadline=None)
@given(st.one_of(births, feb29))
def test_school_start_is_the_first_1_april_on_or_after_the_6th_birthday(birth):
    start = ages.school_start(birth)
    sixth = ages.nth_birthday(birth, 6)
    assert (start.month, start.day) == (4, 1)
    assert sixth <= start < sixth + timedelta(days=366)
    assert ages.preschool(birth, start - timedelta(days=1))
    assert not ages.preschool(birth, start)
    assert ages.school_stage(birth, start) == "elementary"
    assert ages.school_stage(birth, date(start.year + 6, 3, 31)) == "elementary"
    assert ages.school_stage(birth, date(start.year + 6, 4, 1)) == "junior_high"
    assert ages.school_stage(birth, date(start.year + 9, 3, 31)) == "junior_high"
    assert ages.school_stage(birth, date(start.year + 9, 4, 1)) is None
    assert ages.elementary_school_age(birth, date(start.year + 6, 3, 31))
    assert ages.junior_high_school_age(birth, date(start.year + 6, 4, 1))
    assert not ages.school_age(birth, start - timedelta(days=1))


def test_1_april_births_start_school_with_the_previous_year():
    assert ages.school_start(date(2020, 4, 1)) == date(2026, 4, 1)
    assert ages.school_start(date(2019, 4, 2)) == date(2026, 4, 1)
    assert ages.school_start(date(2020, 4, 2)) == date(2027, 4, 1)
    # child allowance: born 2 April stays to the following 31 March, born 1 April ceases
    assert ages.march_end_after_reached(date(2009, 4, 2), 18) == date(2028, 3, 31)
    assert ages.march_end_after_reached(date(2009, 4, 1), 18) == date(2027, 3, 31)


def test_29_february():
    b = date(2008, 2, 29)
    assert ages.nth_birthday(b, 1) == date(2009, 3, 1)
    assert ages.nth_birthday(b, 4) == date(2012, 2, 29)
    assert ages.reached_date(b, 15) == date(2023, 2, 28)
    assert ages.completed_years(b, date(2023, 2, 28)) == 14
    assert ages.completed_years(b, date(2023, 3, 1)) == 15
    assert ages.elderly_medical(date(1952, 2, 29), date(2027, 3, 1))
    assert not ages.elderly_medical(date(1952, 2, 29), date(2027, 2, 28))


@settings(max_examples=200, deadline=None)
@given(st.one_of(births, feb29))
def test_pension_care_and_elderly_medical_boundaries(birth):
    r20, r60, r65 = (ages.reached_date(birth, n) for n in (20, 60, 65))
    one = timedelta(days=1)
    assert not ages.pension_age(birth, r20 - one) and ages.pension_age(birth, r20)
    assert ages.pension_age(birth, r60 - one) and not ages.pension_age(birth, r60)
    assert not ages.care_insured(birth, r65 - one) and ages.care_insured(birth, r65)
    b75 = ages.nth_birthday(birth, 75)
    assert is_birthday(birth, b75)
    assert not ages.elderly_medical(birth, b75 - one) and ages.elderly_medical(birth, b75)


def test_school_year_counts_from_school_start():
    b = date(2019, 4, 2)  # reaches 6 on 2025-04-01, starts school on 2026-04-01
    assert ages.school_year(b, date(2026, 3, 31)) is None
    assert ages.school_year(b, date(2026, 4, 1)) == 1
    assert ages.school_year(b, date(2027, 3, 31)) == 1
    assert ages.school_year(b, date(2032, 4, 1)) == 7
    for d in (date(2026, 4, 1), date(2031, 12, 1), date(2033, 1, 5), date(2035, 4, 1)):
        stage = ages.school_stage(b, d)
        year = ages.school_year(b, d)
        assert stage == ("elementary" if year <= 6 else "junior_high" if year <= 9 else None)


# The age rules live in rules/ages.py only: no other module may define its own.
AGE_HELPERS = re.compile(
    r"^\s*def _?(birthday|birthday_in|nth_birthday|reached|reached_date|age_on|"
    r"completed_years|school_start|school_year|child_allowance_age)\(",
    re.M,
)


def test_age_rules_have_one_source():
    package = Path(ages.__file__).resolve().parent.parent
    offenders = []
    for path in package.rglob("*.py"):
        if path == Path(ages.__file__).resolve() or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(package)}: {m[0].strip()}" for m in AGE_HELPERS.finditer(text)
        ]
        if "年齢計算" in text:
            offenders.append(f"{path.relative_to(package)}: 年齢計算ニ関スル法律")
    assert offenders == []
