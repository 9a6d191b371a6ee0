"""The audit archive: old rows move to a signed file anchored in the audit anchor;
`audit verify` passes after it, re-reads the file, and still names tampering in the
file and in the live chain."""

import json
import shutil
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from madoguchi.audit import anchor, archive, services
from madoguchi.audit.models import AuditHead, AuditRecord


@pytest.fixture
def archived(db, clerk, settings, tmp_path, monkeypatch, django_capture_on_commit_callbacks):
    """Eight rows, the first five written a year ago, then archived."""
    settings.MADOGUCHI_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    AuditRecord.objects.all().delete()
    AuditHead.objects.all().delete()
    then = timezone.now() - timedelta(days=365)
    with django_capture_on_commit_callbacks(execute=True):
        with monkeypatch.context() as m:
            m.setattr(services.timezone, "now", lambda: then)
            for i in range(5):
                services.record(clerk, "register.search", query=f"old {i}", person_ids=["1"])
        for i in range(3):
            services.record(clerk, "register.search", query=f"new {i}")
    with django_capture_on_commit_callbacks(execute=True):
        result = archive.archive_before(timezone.now() - timedelta(days=30))
    return result


def verify(*files):
    r = services.verify(archive_files=files)
    return r.ok, "\n".join(r.problems), r


def _rewrite(path, fn):
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(fn(lines)) + "\n", encoding="utf-8")


def test_archive_moves_old_rows_and_verify_passes(archived):
    assert (archived.first_seq, archived.last_seq, archived.count) == (1, 5, 5)
    assert sorted(AuditRecord.objects.values_list("seq", flat=True)) == [6, 7, 8, 9]
    assert AuditRecord.objects.get(seq=9).action == "audit.archive"  # audited
    assert AuditRecord.objects.get(seq=6).prev_hash == archived.last_hash
    lines = [json.loads(x) for x in anchor.path().read_text().splitlines()]
    line = next(x for x in lines if x["kind"] == "archive")
    assert line["file"] == archived.path.name and line["archive"] == archived.digest
    ok, text, r = verify()
    assert ok, text
    assert (r.checked, r.archived) == (4, 5)


def test_an_edited_row_in_the_archive_is_detected(archived):
    def edit(lines):
        row = json.loads(lines[2])
        row["query"] = "nothing to see"
        lines[2] = json.dumps(row, ensure_ascii=False)
        return lines

    _rewrite(archived.path, edit)
    ok, text, _ = verify()
    assert not ok
    assert "ダイジェストが監査アンカーの記録と一致しません" in text
    assert f"{archived.path.name}: seq 2: 内容がハッシュと一致しません" in text
    assert f"{archived.path.name} line 3: MACが一致しません" in text


def test_a_truncated_or_missing_archive_is_detected(archived):
    _rewrite(archived.path, lambda lines: lines[:-2])  # last row and end line gone
    ok, text, _ = verify()
    assert not ok and "終端行がありません" in text
    archived.path.unlink()
    ok, text, _ = verify()
    assert not ok and "見つかりません" in text


def test_an_archive_kept_elsewhere_is_verified_with_archive_option(archived, tmp_path, capsys):
    moved = tmp_path / "offline" / archived.path.name
    moved.parent.mkdir()
    shutil.move(archived.path, moved)
    assert not verify()[0]
    ok, text, r = verify(moved)
    assert ok, text
    assert r.archived == 5
    call_command("audit", "verify", "--archive", str(moved))
    assert "and 5 archived records: OK" in capsys.readouterr().out


def test_an_archive_file_rebuilt_without_the_key_is_detected(archived):
    """Someone rewrites the archive and recomputes the hashes and the end line's digest:
    the MACs and the anchor's digest still name it."""
    import hashlib

    lines = archived.path.read_text(encoding="utf-8").splitlines()
    rows = [json.loads(x) for x in lines]
    rows[1]["query"] = "nothing"
    prev = rows[0]["prev_hash"]
    for r in rows[1:-1]:
        rec = AuditRecord(seq=r["seq"], at=timezone.datetime.fromisoformat(r["at"]),
                          actor_username=r["actor"], action=r["action"], query=r["query"],
                          person_ids=r["persons"], household_ids=r["households"],
                          flagged=r["flagged"])  # fmt: skip
        r["prev_hash"], r["hash"] = prev, services.compute_hash(prev, rec)
        prev = r["hash"]
    body = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:-1])
    rows[-1]["last_hash"] = prev
    rows[-1]["body_sha256"] = hashlib.sha256(body.encode()).hexdigest()
    archived.path.write_text(body + json.dumps(rows[-1]) + "\n", encoding="utf-8")
    ok, text, _ = verify()
    assert not ok
    assert "line 2: MACが一致しません" in text
    assert "ダイジェストが監査アンカーの記録と一致しません" in text
    assert "監査アンカーの記録（seq 6 の直前）と一致しません" in text


def test_tampering_in_the_live_chain_is_still_detected_after_an_archive(archived):
    AuditRecord.objects.filter(seq=7).update(query="changed")
    ok, text, _ = verify()
    assert not ok and "seq 7: 内容がハッシュと一致しません" in text


def test_deleting_the_first_live_rows_is_not_hidden_by_the_archive(archived):
    AuditRecord.objects.filter(seq=6).delete()
    ok, text, _ = verify()
    assert not ok and "seq 6–6" in text


def test_a_second_archive_continues_the_first(archived, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        second = archive.archive_before(timezone.now() + timedelta(seconds=5))
    assert (second.first_seq, second.last_seq) == (6, 9)
    ok, text, r = verify()
    assert ok, text
    assert r.archived == 9
    # swapping in the first archive under the second one's name is caught
    shutil.copy(archived.path, second.path)
    assert not verify()[0]


def test_archive_is_refused_when_the_chain_is_broken(archived):
    AuditRecord.objects.filter(seq=7).update(query="changed")
    with pytest.raises(archive.ArchiveError, match="does not verify"):
        archive.archive_before(timezone.now() + timedelta(seconds=5))
    assert AuditRecord.objects.filter(seq=7).exists()
