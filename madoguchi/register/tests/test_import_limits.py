"""Values the database would refuse are row errors of the import's own check, in dry-run
and real mode alike, on SQLite and PostgreSQL: a NUL byte, a value longer than its column
(the limit read from the model), a number out of the column's range. The error names line,
column and reason and never echoes the value; nothing is written; no traceback."""

import pytest

from madoguchi.cli import main
from madoguchi.register.importer import import_register
from madoguchi.register.models import Household, Person
from madoguchi.register.tests.test_import import MAPPING, col, read_sample, write_csv

LONG_DIGITS = "1234567890" * 4  # 40 digits


def _nul(row, header):
    column = "氏名"
    row[col(header, column)] = row[col(header, column)] + "\x00ＮＵＬ"
    return column, "\x00"


def _long_name(row, header):
    column = "氏名"
    limit = Person._meta.get_field("name").max_length
    row[col(header, column)] = "鬮" * 5000
    assert 5000 > limit
    return column, "鬮" * (limit + 1)


def _long_atena(row, header):
    column = "宛名番号"
    assert len(LONG_DIGITS) > Person._meta.get_field("atena_no").max_length
    row[col(header, column)] = LONG_DIGITS
    return column, LONG_DIGITS


def _huge_history_no(row, header):
    column = "個人履歴番号"
    row[col(header, column)] = LONG_DIGITS
    return column, LONG_DIGITS


CASES = {
    "nul": _nul,
    "long_name": _long_name,
    "long_atena": _long_atena,
    "huge_int": _huge_history_no,
}


def _bad_file(tmp_path, case):
    header, rows = read_sample()
    rows = [list(r) for r in rows]
    # the last row: every other row has already been batched for writing
    column, echo = CASES[case](rows[-1], header)
    return write_csv(tmp_path / f"{case}.csv", header, rows), len(rows) + 1, column, echo


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
@pytest.mark.parametrize("case", list(CASES))
def test_refused_values_are_row_errors(db, tmp_path, case, dry_run):
    path, line, column, echo = _bad_file(tmp_path, case)
    result = import_register(path, MAPPING, dry_run=dry_run)
    assert [(e.line, e.column) for e in result.errors] == [(line, column)]
    reason = result.errors[0].reason
    assert echo not in reason and "\x00" not in reason
    assert result.persons_imported == result.households_imported == 0
    assert Person.objects.count() == Household.objects.count() == 0  # all-or-nothing


def test_limits_come_from_the_model():
    from madoguchi.register.importer.convert import _limits

    lengths, ranges = _limits()
    assert lengths["name"] == Person._meta.get_field("name").max_length
    assert lengths["household_no"] == Household._meta.get_field("household_no").max_length
    assert ranges["history_no"][1] < int(LONG_DIGITS)


def test_pending_prefix_counts_towards_the_length(db, tmp_path):
    header, rows = read_sample()
    rows = [list(r) for r in rows]
    limit = Person._meta.get_field("atena_no").max_length
    rows[-1][col(header, "宛名番号")] = "9" * limit  # fits, but not with the P of a pending row
    path = write_csv(tmp_path / "pending.csv", header, rows)
    assert not import_register(path, MAPPING, dry_run=True).errors
    result = import_register(path, MAPPING, dry_run=True, pending=True)
    assert [(e.line, e.column) for e in result.errors] == [(len(rows) + 1, "宛名番号")]


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "real"])
@pytest.mark.parametrize("case", list(CASES))
def test_command_exits_2_without_traceback_or_value(
    transactional_db, tmp_path, capsys, case, dry_run
):
    path, line, column, echo = _bad_file(tmp_path, case)
    argv = ["register", "import", str(path), "--mapping", MAPPING, "--quiet"]
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--dry-run"] if dry_run else argv)
    assert exc.value.code == 2
    out = capsys.readouterr()
    text = out.out + out.err
    assert f"line {line}: {column}: " in text
    assert "Traceback" not in text
    assert echo not in text and "\x00" not in text
    assert Person.objects.count() == 0
