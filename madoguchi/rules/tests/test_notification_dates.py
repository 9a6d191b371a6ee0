"""The notification date against the law (rules/deadlines.py): the advance window, the
municipality's closing days, 期限超過, which late notifications go to the 簡易裁判所."""

from datetime import date

import pytest

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import deadlines


@pytest.mark.parametrize(
    ("day", "closed"),
    [
        (date(2027, 4, 9), False),  # Friday
        (date(2027, 4, 10), True),  # Saturday
        (date(2027, 4, 11), True),  # Sunday
        (date(2027, 4, 29), True),  # 昭和の日
        (date(2027, 5, 3), True),  # 憲法記念日
        (date(2027, 12, 28), False),  # Tuesday, open
        (date(2027, 12, 29), True),  # 年末年始 (休日条例)
        (date(2028, 1, 3), True),
        (date(2028, 1, 4), False),
    ],
)
def test_municipal_holidays(day, closed):
    assert deadlines.municipal_holiday(day) is closed


def test_a_deadline_on_a_closing_day_runs_to_the_next_open_day():
    assert deadlines.effective_deadline(date(2027, 4, 11)) == date(2027, 4, 12)  # Sun → Mon
    assert deadlines.effective_deadline(date(2027, 5, 1)) == date(2027, 5, 6)  # GW
    assert deadlines.effective_deadline(date(2027, 12, 30)) == date(2028, 1, 4)
    assert deadlines.effective_deadline(date(2027, 4, 9)) == date(2027, 4, 9)


def test_overdue():
    assert not deadlines.overdue(date(2027, 4, 11), date(2027, 4, 12))  # Sunday's deadline
    assert deadlines.overdue(date(2027, 4, 11), date(2027, 4, 13))
    assert deadlines.overdue("2027-04-09", date(2027, 4, 10))  # ISO text, as results carry
    assert not deadlines.overdue("2027-04-09", date(2027, 4, 9))
    assert not deadlines.overdue(None, date(2099, 1, 1))  # no date: nothing to miss


def test_advance_notice():
    cat = demo_catalog()
    on = date(2027, 3, 1)
    assert deadlines.advance_notice(cat, "move_out", date(2027, 3, 15), on) is None  # 14 days
    assert deadlines.advance_notice(cat, "move_out", date(2027, 3, 16), on) == {
        "event": "move_out",
        "days_ahead": 15,
        "allowed_days": 14,
    }
    found = deadlines.advance_notice(cat, "move_out_abroad", date(2027, 3, 16), on)
    assert found["allowed_days"] == 14
    for event in ("move_in", "move_in_from_abroad", "move_within", "birth", "death"):
        assert deadlines.advance_notice(cat, event, on, on) is None  # the same day is fine
        found = deadlines.advance_notice(cat, event, date(2027, 3, 2), on)
        assert found["allowed_days"] == 0 and found["days_ahead"] == 1
    assert deadlines.advance_notice(cat, "move_in", date(2026, 1, 1), on) is None  # the past


def _events_yaml(tmp_path, windows: str):
    """The demo catalog with 転出's advance window replaced by ``windows``."""
    import shutil

    from madoguchi.catalog.loader import DEMO_DIR

    root = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, root)
    path = root / "events.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  - id: move_out\n    name: 転出（国内の他市区町村へ）\n    en: {name: Moving out (to another municipality)}\n    advance_window_days:\n      - {days: 14, valid_from: 2016-01-01}\n"
    assert old in text
    new = old.replace("      - {days: 14, valid_from: 2016-01-01}\n", windows)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return root


def test_a_new_catalog_version_changes_the_window_from_its_date(tmp_path):
    from madoguchi.catalog.loader import load_catalog

    root = _events_yaml(
        tmp_path,
        "      - {days: 14, valid_from: 2016-01-01, valid_to: 2027-12-31}\n"
        "      - {days: 30, valid_from: 2028-01-01}\n",
    )
    cat = load_catalog(root)
    before, after = date(2027, 12, 1), date(2028, 1, 4)
    assert deadlines.advance_window_days(cat, "move_out", before) == 14
    assert deadlines.advance_window_days(cat, "move_out", after) == 30
    # 20 days ahead: refused under the old version, accepted from the new one's date
    assert deadlines.advance_notice(cat, "move_out", date(2027, 12, 21), before)
    assert deadlines.advance_notice(cat, "move_out", date(2028, 1, 24), after) is None
    assert deadlines.advance_window_days(cat, "move_out_abroad", after) == 14  # unchanged


@pytest.mark.parametrize(
    ("windows", "message"),
    [
        ("      - {days: -3, valid_from: 2016-01-01}\n", "0〜366 の整数"),
        ("      - {days: 十四, valid_from: 2016-01-01}\n", "0〜366 の整数"),
        ("      - {days: 14}\n", "valid_from がありません"),
        (
            "      - {days: 14, valid_from: 2016-01-01}\n      - {days: 30, valid_from: 2028-01-01}\n",
            "版の期間が重なっています",
        ),
        (
            "      - {days: 14, valid_from: 2016-01-01, valid_to: 2027-06-30}\n"
            "      - {days: 30, valid_from: 2028-01-01}\n",
            "空白期間があります",
        ),
        ("      - {days: 14, valid_from: 2016-01-01, weeks: 2}\n", "不明な項目 'weeks'"),
    ],
)
def test_catalog_check_refuses_a_bad_window(tmp_path, windows, message):
    from madoguchi.catalog.loader import CatalogError, load_catalog

    root = _events_yaml(tmp_path, windows)
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    assert any(i.file == "events.yaml" and message in i.message for i in err.value.issues), (
        err.value.issues
    )


def test_a_birth_or_death_is_never_notified_ahead(tmp_path):
    import shutil

    from madoguchi.catalog.loader import DEMO_DIR, CatalogError, load_catalog

    root = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, root)
    path = root / "events.yaml"
    text = path.read_text(encoding="utf-8").replace(
        "  - {id: death, name: 死亡, en: {name: Death}}",
        "  - {id: death, name: 死亡, en: {name: Death}, advance_window_days: [{days: 3, valid_from: 2016-01-01}]}",
    )
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as err:
        load_catalog(root)
    assert "起きた後にしか届け出られません" in str(err.value)


def test_court_notice_laws():
    assert deadlines.court_notice("住民基本台帳法 22条")
    assert deadlines.court_notice("戸籍法 49条")
    assert not deadlines.court_notice("国民健康保険法 9条")  # the city's own 過料
    assert not deadlines.court_notice("")


DEATH = {"days": 7, "counting": "including_event_day", "from": "death_known_date"}


def test_the_death_registration_runs_from_the_day_known():
    """戸籍法86条: 7 days from the day the death became known, the day itself counted."""
    died = date(2027, 3, 30)
    assert deadlines.deadline_date(DEATH, {"event_date": died}) == date(2027, 4, 5)
    known = {"event_date": died, "death_known_date": date(2027, 4, 2)}
    assert deadlines.deadline_date(DEATH, known) == date(2027, 4, 8)
    # the demo catalog's 死亡届 says the same
    proc = demo_catalog().procedure("family_register.death", died)
    assert proc.deadline_date(died, known) == date(2027, 4, 8)


@pytest.mark.parametrize(
    ("on", "asked"),
    [
        (date(2027, 4, 5), False),  # the 7th day (Monday): in time, nothing asked
        (date(2027, 4, 6), True),  # past it: 「死亡の事実を知った日」 is asked
    ],
)
def test_the_day_known_is_asked_only_once_the_death_date_is_past(on, asked):
    assert (deadlines.asked_start(DEATH, date(2027, 3, 30), on) == "death_known_date") is asked


def test_the_closing_day_rule_holds_before_asking():
    """Died 2027-04-03: the 7th day is Friday 04-09 … died 04-04: Saturday 04-10, in time
    to Monday 04-12 — not asked on the 12th, asked on the 13th."""
    died = date(2027, 4, 4)
    assert deadlines.asked_start(DEATH, died, date(2027, 4, 12)) is None
    assert deadlines.asked_start(DEATH, died, date(2027, 4, 13)) == "death_known_date"


def test_a_start_the_register_knows_is_never_asked():
    move = {"days": 15, "from": "planned_move_out_date"}
    assert deadlines.asked_start(move, date(2027, 1, 1), date(2027, 12, 31)) is None
    assert deadlines.asked_start({"days": 14}, date(2027, 1, 1), date(2027, 12, 31)) is None
