"""Strict 和暦: round trips, an independent era table, and the dates that must fail."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from madoguchi.core.wareki import (
    WarekiError,
    format_wareki,
    looks_like_date,
    parse_wareki,
    parse_wareki_period,
    to_wareki,
    wareki_candidates,
)

# Independent era table (written out from register.md, not imported from the module).
TABLE = [
    ("明治", "1", "M", date(1868, 1, 25), date(1912, 7, 30)),
    ("大正", "2", "T", date(1912, 7, 30), date(1926, 12, 25)),
    ("昭和", "3", "S", date(1926, 12, 25), date(1989, 1, 7)),
    ("平成", "4", "H", date(1989, 1, 8), date(2019, 4, 30)),
    ("令和", "5", "R", date(2019, 5, 1), date(9999, 12, 31)),
]
FIRST, LAST = date(1868, 1, 25), date(2100, 12, 31)
dates = st.dates(min_value=FIRST, max_value=LAST)


def expected_era(d):
    """Newest era whose span contains d (the printed one)."""
    return [row for row in TABLE if row[3] <= d <= row[4]][-1]


@given(dates)
def test_to_wareki_matches_independent_table(d):
    name, _code, _letter, first, _last = expected_era(d)
    assert to_wareki(d) == (name, d.year - first.year + 1, d.month, d.day)


@given(dates)
def test_round_trip_all_forms(d):
    name, code, letter, first, _ = expected_era(d)
    year = d.year - first.year + 1
    kanji = format_wareki(d)
    assert kanji == f"{name}{'元' if year == 1 else year}年{d.month}月{d.day}日"
    assert parse_wareki(kanji) == d
    assert parse_wareki(format_wareki(d, era_style="letter")) == d
    seven = format_wareki(d, era_style="code")
    if year < 100:
        assert seven == f"{code}{year:02d}{d.month:02d}{d.day:02d}"
        assert parse_wareki(seven) == d
    assert parse_wareki(d.strftime("%Y%m%d")) == d
    assert parse_wareki(f"{letter.lower()}{year}.{d.month}.{d.day}") == d
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in f"{letter}{year}.{d.month}.{d.day}")
    assert parse_wareki(full_width) == d


def test_every_day_round_trips():
    """Exhaustive, not sampled: every day 1868-01-25..2100-12-31 (≈85,000 days)."""
    d = FIRST
    while d <= LAST:
        assert parse_wareki(format_wareki(d)) == d
        d += timedelta(days=1)


@given(dates)
def test_date_outside_named_era_is_rejected(d):
    """Any era that does not contain d must reject it, whatever form is typed."""
    for name, code, letter, first, last in TABLE:
        if first <= d <= last:
            continue
        year = d.year - first.year + 1
        if year < 1 or year > 99:
            continue
        label = f"{name}{'元' if year == 1 else year}年{d.month}月{d.day}日"
        for text in (label, f"{letter}{year}.{d.month}.{d.day}"):
            with pytest.raises(WarekiError):
                parse_wareki(text)
        with pytest.raises(WarekiError):
            parse_wareki(f"{code}{year:02d}{d.month:02d}{d.day:02d}")


@pytest.mark.parametrize(
    "text,expected",
    [
        ("4050101", date(1993, 1, 1)),
        ("19930101", date(1993, 1, 1)),
        ("H5.1.1", date(1993, 1, 1)),
        ("h5.1.1", date(1993, 1, 1)),
        ("R1.5.1", date(2019, 5, 1)),
        ("４０５０１０１", date(1993, 1, 1)),
        ("Ｈ５．１．１", date(1993, 1, 1)),
        ("平成5年1月1日", date(1993, 1, 1)),
        ("平成５年１月１日", date(1993, 1, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("令和1年5月1日", date(2019, 5, 1)),
        ("明治45年7月30日", date(1912, 7, 30)),
        ("大正元年7月30日", date(1912, 7, 30)),
        ("大正15年12月25日", date(1926, 12, 25)),
        ("昭和元年12月25日", date(1926, 12, 25)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("1993-01-01", date(1993, 1, 1)),
        ("1993/1/1", date(1993, 1, 1)),
        ("1993年1月1日", date(1993, 1, 1)),
        ("㍻5年1月1日", date(1993, 1, 1)),
    ],
)
def test_accepted_forms(text, expected):
    assert parse_wareki(text) == expected


@pytest.mark.parametrize(
    "text,fragment",
    [
        ("平成31年5月1日", "平成の期間"),
        ("令和元年4月30日", "令和の期間"),
        ("昭和64年1月8日", "昭和の期間"),
        ("平成5年2月30日", "存在しない日付"),
        ("4050230", "存在しない日付"),
        ("20230229", "存在しない日付"),
        ("H5.13.1", "月は1〜12"),
        ("6050101", "元号コード"),
        ("0050101", "元号コード"),
        ("12345", "日付として読めません"),
        ("平成5年", "日付として読めません"),
        ("", "入力されていません"),
        ("18000101", "明治以前"),
        ("明治元年1月24日", "明治の期間"),
        ("R0.5.1", "1以上"),
    ],
)
def test_rejections_have_clear_messages(text, fragment):
    with pytest.raises(WarekiError) as exc:
        parse_wareki(text)
    assert fragment in str(exc.value)


def test_boundary_days_print_new_era_and_have_two_readings():
    assert format_wareki(date(1912, 7, 30)) == "大正元年7月30日"
    assert format_wareki(date(1926, 12, 25)) == "昭和元年12月25日"
    assert wareki_candidates(date(1912, 7, 30)) == [("明治", 45), ("大正", 1)]
    assert wareki_candidates(date(1989, 1, 8)) == [("平成", 1)]
    assert format_wareki(date(1989, 1, 7)) == "昭和64年1月7日"
    assert format_wareki(date(2019, 5, 1), era_style="letter") == "R1.5.1"
    assert format_wareki(date(1993, 1, 1), era_style="code") == "4050101"
    with pytest.raises(WarekiError):
        format_wareki(date(1868, 1, 24))


def test_looks_like_date():
    assert looks_like_date("4050101") and looks_like_date("H5.1.1")
    assert looks_like_date("平成31年5月1日")  # shape only; validity is parse_wareki's job
    assert not looks_like_date("12345") and not looks_like_date("高橋")


def test_datetime_is_formatted_by_its_date():
    from datetime import datetime

    assert format_wareki(datetime(2019, 5, 1, 9, 30)) == "令和元年5月1日"


@pytest.mark.parametrize(
    "text,first,last",
    [
        ("S58", date(1983, 1, 1), date(1983, 12, 31)),
        ("昭和58年", date(1983, 1, 1), date(1983, 12, 31)),
        ("Ｓ５８", date(1983, 1, 1), date(1983, 12, 31)),
        ("H5.1", date(1993, 1, 1), date(1993, 1, 31)),
        ("平成5年1月", date(1993, 1, 1), date(1993, 1, 31)),
        ("H12.2", date(2000, 2, 1), date(2000, 2, 29)),
        ("1983年", date(1983, 1, 1), date(1983, 12, 31)),
        ("1983年12月", date(1983, 12, 1), date(1983, 12, 31)),
        ("令和元年", date(2019, 5, 1), date(2019, 12, 31)),
        ("H31", date(2019, 1, 1), date(2019, 4, 30)),
        ("S64", date(1989, 1, 1), date(1989, 1, 7)),
        ("M45.7", date(1912, 7, 1), date(1912, 7, 30)),
        ("T1", date(1912, 7, 30), date(1912, 12, 31)),
    ],
)
def test_periods_are_clipped_to_the_era(text, first, last):
    assert parse_wareki_period(text) == (first, last)


@pytest.mark.parametrize("text", ["H32", "S65", "H31.5", "R1.4", "H5.13", "高橋", "R0"])
def test_impossible_periods_are_rejected(text):
    with pytest.raises(WarekiError):
        parse_wareki_period(text)


@given(dates)
def test_every_date_lies_in_its_printed_year_period(d):
    name, year, month, _day = to_wareki(d)
    first, last = parse_wareki_period(f"{name}{year}年")
    assert first <= d <= last
    first, last = parse_wareki_period(f"{name}{year}年{month}月")
    assert first <= d <= last and first.month == last.month == d.month
