"""The nightly guard: no empty file, no sudden fall of the person count (exit 2 / 3)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from madoguchi.register.importer import import_register
from madoguchi.register.models import Person
from madoguchi.register.tests.test_import import MADO_SAMPLE_CSV, MAPPING, read_sample, write_csv


def run(path, *extra):
    out = io.StringIO()
    args = ["register", "import", str(path), "--mapping", MAPPING, "--json", "--quiet", *extra]
    call_command(*args, stdout=out, stderr=io.StringIO())
    return json.loads(out.getvalue())


def run_refused(path, *extra):
    out = io.StringIO()
    args = ["register", "import", str(path), "--mapping", MAPPING, "--json", "--quiet", *extra]
    with pytest.raises(CommandError) as exc:
        call_command(*args, stdout=out, stderr=io.StringIO())
    return exc.value.returncode, json.loads(out.getvalue())


def test_header_only_file_is_rejected(db, tmp_path):
    header, _rows = read_sample()
    code, summary = run_refused(write_csv(tmp_path / "empty.csv", header, []))
    assert code == 2 and summary["guard"] == "empty"
    assert summary["errors"][0]["line"] == 2
    assert not Person.objects.exists()


def test_truncated_file_is_refused_unless_the_drop_is_confirmed(db, tmp_path, settings):
    settings.MADOGUCHI_IMPORT_MAX_DROP = 0.1
    assert import_register(MADO_SAMPLE_CSV, MAPPING).persons_imported == 27
    header, rows = read_sample()
    cut = write_csv(tmp_path / "cut.csv", header, rows[:20])  # 27 → 20 persons: −26 %
    before = {p.pk: p.updated_at for p in Person.objects.all()}
    code, summary = run_refused(cut)
    assert code == 3 and summary["guard"] == "drop"
    assert (
        "25.9%" in summary["errors"][0]["reason"]
        and "--allow-drop" in summary["errors"][0]["reason"]
    )
    assert Person.objects.count() == 27
    assert {p.pk: p.updated_at for p in Person.objects.all()} == before  # nothing written
    # A drop within the tolerance passes; a confirmed larger one too.
    settings.MADOGUCHI_IMPORT_MAX_DROP = 0.3
    assert run(cut)["status"] == "imported"
    settings.MADOGUCHI_IMPORT_MAX_DROP = 0.1
    few = write_csv(tmp_path / "few.csv", header, rows[:5])
    assert run_refused(few)[0] == 3
    assert run(few, "--allow-drop")["status"] == "imported"


def test_first_import_is_not_guarded_by_count(db):
    assert run(MADO_SAMPLE_CSV)["status"] == "imported"  # empty register: nothing to compare
