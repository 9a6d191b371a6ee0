"""Age rules of Japanese law, implemented once (situation.md, "Ages").

A person *reaches* age N (N歳に達する日) on the day before the N-th birthday
(年齢計算ニ関スル法律). A birth date of 29 February has its birthday on 1 March in
common years (民法143条). Every function takes the birth date and the event date ``d``.
"""

from __future__ import annotations

from datetime import date, timedelta

ONE_DAY = timedelta(days=1)


def birthday_in(birth: date, year: int) -> date:
    """The birthday in ``year`` (29 February → 1 March in a common year)."""
    try:
        return birth.replace(year=year)
    except ValueError:  # 29 February in a common year
        return date(year, 3, 1)


def nth_birthday(birth: date, n: int) -> date:
    return birthday_in(birth, birth.year + n)


def reached_date(birth: date, n: int) -> date:
    """The day the person reaches age ``n`` (the day before the n-th birthday)."""
    return nth_birthday(birth, n) - ONE_DAY


def reached(birth: date, d: date, n: int) -> bool:
    """reached(N): d ≥ N-th birthday − 1 day."""
    return d >= reached_date(birth, n)


def completed_years(birth: date, d: date) -> int:
    """The ordinary age in whole years (0 before the first birthday)."""
    years = d.year - birth.year
    if d < birthday_in(birth, d.year):
        years -= 1
    return max(years, 0)


def first_on_or_after(d: date, month: int, day: int) -> date:
    candidate = date(d.year, month, day)
    return candidate if candidate >= d else date(d.year + 1, month, day)


def march_end_after_reached(birth: date, n: int) -> date:
    """The first 31 March on or after the day of reaching ``n``."""
    return first_on_or_after(reached_date(birth, n), 3, 31)


def until_march_after_reached(birth: date, d: date, n: int) -> bool:
    """birth ≤ d ≤ the first 31 March on or after reached(n)."""
    return birth <= d <= march_end_after_reached(birth, n)


def child_allowance_age(birth: date, d: date) -> bool:
    """The 18-rule: up to the first 31 March on or after reaching 18 (児童手当 from
    2024-10-01; before, the catalog parameter ``child_allowance_age_limit`` dates it 15)."""
    return until_march_after_reached(birth, d, 18)


def support_age(birth: date, d: date) -> bool:
    """児童扶養手当・ひとり親医療 age (the support-kid of procedures.md): the 18-rule
    whatever the date (児童扶養手当法 3条 has always run to it)."""
    return until_march_after_reached(birth, d, 18)


def school_start(birth: date) -> date:
    """The first 1 April on or after the 6th birthday."""
    return first_on_or_after(nth_birthday(birth, 6), 4, 1)


def school_entry_notice(birth: date, d: date) -> bool:
    """就学予定者 of the coming 1 April (学校教育法施行令 5条: 入学期日の通知): preschool,
    school start the first 1 April after ``d``, and ``d`` on or after the 1 October before
    it (the 学齢簿 is made from 1 October)."""
    start = school_start(birth)
    return (
        preschool(birth, d)
        and start == first_on_or_after(d + ONE_DAY, 4, 1)
        and d >= date(start.year - 1, 10, 1)
    )


def school_stage(birth: date, d: date) -> str | None:
    """'elementary' (first 6 years), 'junior_high' (next 3) or None (not 学齢)."""
    start = school_start(birth)
    if d < start:
        return None
    if d < start.replace(year=start.year + 6):
        return "elementary"
    if d < start.replace(year=start.year + 9):
        return "junior_high"
    return None


def school_year(birth: date, d: date) -> int | None:
    """The school year on ``d`` counted from school start (1 = 小学校1年, 7 = 中学校1年;
    a new year begins each 1 April), or None before school start."""
    start = school_start(birth)
    if d < start:
        return None
    return d.year - start.year + (1 if (d.month, d.day) >= (4, 1) else 0)


def school_age(birth: date, d: date) -> bool:
    """Compulsory school age (学齢): school start ≤ d < school start + 9 years."""
    return school_stage(birth, d) is not None


def elementary_school_age(birth: date, d: date) -> bool:
    """学齢 (elementary): the first 6 years from school start."""
    return school_stage(birth, d) == "elementary"


def junior_high_school_age(birth: date, d: date) -> bool:
    """学齢 (junior high): years 7 to 9 from school start."""
    return school_stage(birth, d) == "junior_high"


def preschool(birth: date, d: date) -> bool:
    """Born and not yet at school start."""
    return birth <= d < school_start(birth)


def pension_age(birth: date, d: date) -> bool:
    """国民年金 age: reached(20) ≤ d < reached(60)."""
    return reached(birth, d, 20) and not reached(birth, d, 60)


def care_insured(birth: date, d: date) -> bool:
    """介護保険 第1号被保険者: reached(65)."""
    return reached(birth, d, 65)


def elderly_medical(birth: date, d: date) -> bool:
    """後期高齢者医療 age: on or after the 75th birthday itself."""
    return d >= nth_birthday(birth, 75)


# The ages the counter asks 「妊娠中の方はいますか」 of a woman (the 妊娠届 and the
# 母子健康手帳 of 母子保健法 15・16条; the 妊婦健診 vouchers). The law sets no age: the range
# is the city's planning range for the 母子健康手帳, wide enough for every pregnancy the
# 人口動態統計 counts in practice (births to mothers under 15 and over 50 are a handful a
# year nationally; the statistics' own bands run from 「14歳以下」 to 「50歳以上」), so the
# question is put from 12 (the youngest 妊娠届 a city sees) to 55 and never to a child or
# an elderly woman. A fact the register cannot say, asked only where it can be true.
CHILDBEARING_AGES = (12, 55)

# 成年 (民法4条: 18 since 2022-04-01, 20 before). The 生計中心者 (the household's main
# earner, the 児童手当 claimant of the parents) is asked only among adults.
ADULT_AGE = 18
ADULT_AGE_BEFORE = (date(2022, 4, 1), 20)  # 民法の一部を改正する法律（平成30年法律第59号）


def childbearing_age(birth: date, d: date) -> bool:
    """Within ``CHILDBEARING_AGES`` (completed years, both ends included) on ``d``."""
    low, high = CHILDBEARING_AGES
    return low <= completed_years(birth, d) <= high


def adult(birth: date, d: date) -> bool:
    """成年 on ``d``: reached(18), before 2022-04-01 reached(20) (民法4条)."""
    since, before = ADULT_AGE_BEFORE
    return reached(birth, d, ADULT_AGE if d >= since else before)
