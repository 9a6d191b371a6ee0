"""The anchor outside the database: someone who can write the database but holds
neither the key nor the checkpoint file cannot delete the tail or rewrite the chain
quietly; restores and archive purges are recorded and are not reported as tampering."""

import json

import pytest
from django.core.management import call_command

from madoguchi.audit import anchor, services
from madoguchi.audit.models import AuditHead, AuditRecord


@pytest.fixture
def chain(db, clerk, django_capture_on_commit_callbacks):
    # Start from an empty chain (creating the clerk wrote a staff.create record).
    AuditRecord.objects.all().delete()
    AuditHead.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(6):
            services.record(clerk, "register.search", query=f"q{i}", person_ids=[str(100 + i)])
    return list(AuditRecord.objects.order_by("seq"))


def problems():
    result = services.verify()
    return result.ok, "\n".join(result.problems)


def recompute_from(seq):
    """What an attacker with database access does: rewrite and re-chain every later row,
    the head row included."""
    prev = AuditRecord.objects.get(seq=seq - 1).hash if seq > 1 else services.GENESIS
    for rec in AuditRecord.objects.filter(seq__gte=seq).order_by("seq"):
        rec.prev_hash = prev
        rec.hash = services.compute_hash(prev, rec)
        rec.save()
        prev = rec.hash
    last = AuditRecord.objects.order_by("-seq").first()
    AuditHead.objects.filter(pk=1).update(seq=last.seq, hash=last.hash)


def test_every_commit_writes_a_signed_checkpoint(chain):
    lines = [json.loads(x) for x in anchor.path().read_text().splitlines()]
    assert [(x["kind"], x["seq"]) for x in lines] == [("head", s) for s in range(1, 7)]
    assert lines[-1]["hash"] == chain[-1].hash
    assert all(len(x["mac"]) == 64 for x in lines)
    assert problems() == (True, "")


def test_deleted_tail_with_head_row_moved_back_is_detected(chain):
    AuditRecord.objects.filter(seq__gte=5).delete()
    last = AuditRecord.objects.get(seq=4)
    AuditHead.objects.filter(pk=1).update(seq=4, hash=last.hash)  # the in-DB head follows
    ok, text = problems()
    assert not ok and "seq 5–6" in text and "外部チェックポイント" in text


def test_rewritten_middle_row_with_whole_chain_recomputed_is_detected(chain):
    AuditRecord.objects.filter(seq=3).update(query="nothing to see", person_ids=[])
    recompute_from(3)
    ok, text = problems()
    assert not ok
    assert "seq 3–6: 鍵付きMAC" in text  # without the key the MACs cannot follow
    assert "seq 3: 外部チェックポイントと一致しません" in text


def test_rewrite_with_the_key_is_still_caught_by_the_checkpoints(chain):
    """Even someone who stole the key and re-signed the rows is named by the file."""
    AuditRecord.objects.filter(seq=3).update(query="nothing to see")
    recompute_from(3)
    for rec in AuditRecord.objects.filter(seq__gte=3):
        AuditRecord.objects.filter(pk=rec.pk).update(mac=anchor.row_mac(rec.seq, rec.hash))
    ok, text = problems()
    assert not ok and "seq 3: 外部チェックポイントと一致しません" in text


def test_a_different_key_fails_every_row(chain, settings):
    settings.MADOGUCHI_AUDIT_KEY = "another-key-" * 4
    ok, text = problems()
    assert not ok and "seq 1–6: 鍵付きMAC" in text and "anchor line 1: MAC" in text


def test_forged_or_edited_anchor_line_is_detected(chain):
    p = anchor.path()
    lines = p.read_text().splitlines()
    entry = json.loads(lines[1])
    entry["seq"] = 99  # claims a row that never existed
    lines[1] = json.dumps(entry)
    p.write_text("\n".join(lines + ["not json"]) + "\n")
    ok, text = problems()
    assert not ok and "anchor line 2: MAC" in text and "anchor line 7" in text


def test_missing_anchor_file_with_rows_is_reported(chain):
    anchor.path().unlink()
    ok, text = problems()
    assert not ok and "外部チェックポイント" in text
    call_command("audit", "checkpoint")  # the documented way to adopt an existing chain
    assert problems() == (True, "")


def test_restore_of_an_older_state_is_not_tampering(chain):
    """A backup taken at seq 4, restored: rows 5–6 are gone legitimately."""
    AuditRecord.objects.filter(seq__gte=5).delete()
    AuditHead.objects.filter(pk=1).update(seq=4, hash=chain[3].hash)
    anchor.record_restore(4, chain[3].hash, "sha256:test")
    assert problems() == (True, "")
    # …but a restore line does not bless a different row 4.
    AuditRecord.objects.filter(seq=4).update(query="changed after restore")
    recompute_from(4)
    ok, text = problems()
    assert not ok and "seq 4" in text


def test_archive_purge_is_not_tampering_and_the_rest_is_still_checked(chain):
    """(audit/tests/test_archive.py checks the archive file itself.)"""
    AuditRecord.objects.filter(seq__lt=4).delete()
    anchor.record_archive(4, chain[2].hash, "sha256:archive", file="gone.jsonl", from_seq=1)
    ok, text = problems()
    assert text == "監査アーカイブ gone.jsonl が見つかりません" + text.split("見つかりません")[1]
    AuditRecord.objects.filter(seq=5).delete()
    ok, text = problems()
    assert not ok and "seq 5–5" in text


def test_production_has_no_demo_key(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MADOGUCHI_PRODUCTION = True
    settings.MADOGUCHI_AUDIT_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        anchor.row_mac(1, "0" * 64)
