"""The audit chain: `madoguchi audit verify` detects altered, deleted and inserted rows."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from madoguchi.audit import services
from madoguchi.audit.models import AuditHead, AuditRecord


@pytest.fixture
def chain(db, clerk, django_capture_on_commit_callbacks):
    # Start from an empty chain (creating the clerk wrote a staff.create record).
    AuditRecord.objects.all().delete()
    AuditHead.objects.all().delete()
    # Checkpoints are written when a record commits; run those callbacks here.
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            services.record(clerk, "register.search", query=f"q{i}", person_ids=[str(100 + i)])
    return list(AuditRecord.objects.order_by("seq"))


def run_verify():
    out = StringIO()
    call_command("audit", "verify", "--json", stdout=out)
    return json.loads(out.getvalue())


def broken_problems():
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=out, stderr=err)
    assert exc.value.returncode == 1 and "BROKEN" in out.getvalue()
    return err.getvalue()


def test_intact_chain_verifies(chain):
    assert run_verify() == {"ok": True, "checked": 5, "archived": 0, "problems": []}
    assert [r.seq for r in chain] == [1, 2, 3, 4, 5]
    assert chain[0].prev_hash == services.GENESIS
    assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))


@pytest.mark.parametrize(
    "change",
    [
        {"query": "tampered"},
        {"person_ids": ["999"]},
        {"flagged": True},
        {"actor_username": "someone-else"},
        {"action": "register.person"},
    ],
)
def test_altered_record_detected(chain, change):
    AuditRecord.objects.filter(seq=3).update(**change)
    assert "seq 3" in broken_problems()


def test_altered_record_with_recomputed_hash_detected_downstream(chain):
    rec = AuditRecord.objects.get(seq=3)
    rec.query = "tampered"
    rec.hash = services.compute_hash(rec.prev_hash, rec)
    rec.save()
    assert "seq 4" in broken_problems()


def test_deleted_record_detected(chain):
    AuditRecord.objects.filter(seq=2).delete()
    problems = broken_problems()
    assert "欠落" in problems and "seq 3" in problems


def test_deleted_last_records_detected_by_the_head(chain):
    """Truncating the tail leaves a consistent chain; the head row still names seq 5."""
    AuditRecord.objects.filter(seq__gte=4).delete()
    assert "seq 4–5" in broken_problems()


def test_everything_deleted_detected(chain):
    AuditRecord.objects.all().delete()
    assert "seq 1–5" in broken_problems()


def test_head_deleted_detected(chain):
    from madoguchi.audit.models import AuditHead

    AuditHead.objects.all().delete()
    assert "先頭" in broken_problems()


def test_inserted_record_detected(chain):
    # Make room at seq 3 and insert a forged record correctly chained to seq 2.
    for rec in AuditRecord.objects.filter(seq__gte=3).order_by("-seq"):
        AuditRecord.objects.filter(pk=rec.pk).update(seq=rec.seq + 1)
    prev = AuditRecord.objects.get(seq=2)
    forged = AuditRecord(
        seq=3,
        at=prev.at,
        actor_username="intruder",
        action="register.search",
        query="forged",
        person_ids=[],
        household_ids=[],
        prev_hash=prev.hash,
    )
    forged.hash = services.compute_hash(forged.prev_hash, forged)
    forged.save()
    problems = broken_problems()
    assert "seq 4" in problems  # the original third record no longer chains


def test_records_are_written_in_the_callers_transaction(db, clerk):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        services.record(clerk, "register.person", person_ids=["1"])
        raise RuntimeError("response failed")
    assert not AuditRecord.objects.filter(action="register.person").exists()
