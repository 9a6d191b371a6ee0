"""`madoguchi demo`: the demo city's notification date (届出日). Its scenarios are dated
(the move-in family moves in on 2027-03-29), so the demo is notified on each visit's own
異動日 unless told otherwise; a bad --business-date is refused before anything is built."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from madoguchi.core import clock


@pytest.fixture
def restore_business_date():
    before = settings.MADOGUCHI_BUSINESS_DATE
    yield
    settings.MADOGUCHI_BUSINESS_DATE = before


def test_a_bad_business_date_is_refused_before_the_city_is_built(
    restore_business_date, monkeypatch
):
    from madoguchi.demo import builder

    def must_not_build(**kw):
        raise AssertionError("built before the option was checked")

    monkeypatch.setattr(builder, "build_demo", must_not_build)
    with pytest.raises(CommandError, match="--business-date"):
        call_command("demo", "--no-serve", "--business-date", "2027-13-01")


@pytest.mark.parametrize(
    ("option", "pinned", "printed"),
    [
        ([], clock.EVENT, "各来庁の異動日"),
        (["--business-date", "today"], "", "届出日: "),
        (["--business-date", "2027-04-01"], "2027-04-01", "届出日: 2027-04-01"),
    ],
)
def test_the_demo_is_notified_on_its_scenarios_dates_unless_told(
    restore_business_date, monkeypatch, capsys, option, pinned, printed
):
    from madoguchi.demo import builder

    built = []
    monkeypatch.setattr(builder, "build_demo", lambda **kw: built.append(kw) or _Summary())
    settings.MADOGUCHI_BUSINESS_DATE = ""
    call_command("demo", "--no-serve", *option)
    assert built, "the demo city was not built"
    assert settings.MADOGUCHI_BUSINESS_DATE == pinned
    assert printed in capsys.readouterr().out
    if pinned == clock.EVENT:
        from datetime import date

        assert clock.business_date(date(2027, 3, 29)) == date(2027, 3, 29)


class _Summary:
    catalog_version = "test"
    created_persons = 0
    history_tickets = 0
    staff = []
