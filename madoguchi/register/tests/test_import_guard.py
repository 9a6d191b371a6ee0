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


def test_every_import_and_every_refusal_is_audited_with_the_file_digest(db, tmp_path):
    """In the audit chain: the file's name and SHA-256 and the counts, never a row."""
    import hashlib

    from madoguchi.audit.models import AuditRecord

    summary = run(MADO_SAMPLE_CSV)
    rec = AuditRecord.objects.get(action="register.import")
    sha = hashlib.sha256(MADO_SAMPLE_CSV.read_bytes()).hexdigest()
    assert rec.query.startswith(f"{MADO_SAMPLE_CSV.name} sha256:{sha} ")
    assert (
        f"persons +{summary['persons']['imported']} " in rec.query
        and summary["persons"]["imported"] > 0
    )
    assert rec.actor_username == "system" and rec.person_ids == []
    header, rows = read_sample()
    empty = write_csv(tmp_path / "empty.csv", header, [])
    run_refused(empty)
    refused = AuditRecord.objects.get(action="register.import.refused")
    assert "guard empty" in refused.query and "sha256:" in refused.query
    run(MADO_SAMPLE_CSV, "--dry-run")  # a dry run changes nothing, so it is not audited
    assert AuditRecord.objects.filter(action__startswith="register.import").count() == 2
    for r in AuditRecord.objects.filter(action__startswith="register.import"):
        name = rows[0][header.index("氏名")]
        assert name and name not in r.query  # nothing of a row's content
