"""The 異動 record of each signed visit handed to the core system through the hand-off
registry (route ``ido``): the drop-folder files, failure and retry, idempotence, the
cancellation record, 支援措置 marked, no personal data in logs (docs/ido.md)."""

import csv
import io
import json
import logging

import pytest
from django.core.management import call_command
from django.test import override_settings

from madoguchi.audit.models import AuditRecord
from madoguchi.counter import ido
from madoguchi.counter.models import IdoHandOff, IdoHandOffAttempt
from madoguchi.tasks import handoff
from madoguchi.tasks.services import retry_handoffs

from .test_households import son_marries
from .test_ido import signed_marriage_flow as _sign


@pytest.fixture
def drop_folder(tmp_path, settings):
    """Route the 異動 records to the drop-folder plugin, into a temporary folder."""
    settings.MADOGUCHI_HANDOFF_ROUTES = {"ido": "ido_file"}
    settings.MADOGUCHI_IDO_DROP_DIR = str(tmp_path)
    return tmp_path


def _files(folder):
    return sorted(p.name for p in folder.iterdir())


def test_signing_drops_one_json_and_one_csv_into_the_folder(
    clerk_client,
    families,
    drop_folder,
    django_capture_on_commit_callbacks,
    caplog,
):
    tmp_path = drop_folder
    with django_capture_on_commit_callbacks(execute=True):
        f = _sign(clerk_client)
    item = IdoHandOff.objects.get(visit_id=f.id)
    assert item.handoff_state == "sent" and item.record_type == "ido"
    stem = f"ido-{f.id}-v{item.version}"
    assert _files(tmp_path) == [f"{stem}.csv", f"{stem}.json"]  # no temporary file left
    data = json.loads((tmp_path / f"{stem}.json").read_text("utf-8"))
    assert (data["visit_id"], data["version"], data["record_type"]) == (f.id, item.version, "ido")
    assert data["format"] == "madoguchi-ido/1" and data["replaces"] == ""
    assert data["columns"] == dict(ido.COLUMNS)
    rows = {(r["event"], r["atena_no"]): r for r in data["records"]}
    assert len(rows) == 4  # 2 persons × (転居, 婚姻): the nightly batch's rows
    move = rows[("move_within", "300021")]
    assert (move["name"], move["former_name"]) == ("北見　彩", "美幌　彩")
    assert (move["household_after"], move["head_after"]) == ("new1", "北見　健太")
    assert move["record_type"] == "ido" and move["person"] and move["support_measure"] == ""
    table = list(csv.DictReader(io.StringIO((tmp_path / f"{stem}.csv").read_text("utf-8"))))
    assert list(table[0]) == [c for c, _h in ido.COLUMNS] and len(table) == 4
    assert b"\r\n" in (tmp_path / f"{stem}.csv").read_bytes()
    for name in _files(tmp_path):
        assert "個人番号" not in (tmp_path / name).read_text("utf-8")
    rec = AuditRecord.objects.filter(action="ido.handoff").get()
    assert set(rec.person_ids) == {"300013", "300021"} and stem in rec.query
    # the same as the nightly batch of that visit
    assert ido.records(item.visit) == data["records"]
    # no person in the logs
    assert "北見" not in caplog.text and "300013" not in caplog.text


def test_a_failed_hand_off_is_kept_retried_and_not_duplicated(
    clerk_client,
    families,
    tmp_path,
    django_capture_on_commit_callbacks,
    caplog,
):
    drop = tmp_path / "share"  # the core system's share is not mounted
    with override_settings(
        MADOGUCHI_HANDOFF_ROUTES={"ido": "ido_file"}, MADOGUCHI_IDO_DROP_DIR=str(drop)
    ):
        caplog.set_level(logging.WARNING, logger="madoguchi.counter.ido")
        with django_capture_on_commit_callbacks(execute=True):
            f = _sign(clerk_client)
        item = IdoHandOff.objects.get(visit_id=f.id)
        assert item.handoff_state == "failed"
        attempt = IdoHandOffAttempt.objects.get(handoff=item)
        assert not attempt.ok and "受け渡しフォルダがありません" in attempt.error
        assert not drop.exists()  # never created in its place
        assert "hand-off failed" in caplog.text and "北見" not in caplog.text
        # visible to staff, with the retry action
        html = clerk_client.get("/counter/ido/").content.decode()
        assert (
            item.stem in html
            and "連携失敗を再送" in html
            and "受け渡しフォルダがありません" in html
        )
        # still down: the tasks' retry door retries it too, and records the failure
        res = retry_handoffs(force=True)
        assert res["ido"] == {"retried": 1, "sent": 0}
        assert item.attempts.count() == 2
        drop.mkdir()
        r = clerk_client.post("/counter/ido/retry/")
        assert r.status_code == 302
        item.refresh_from_db()
        assert item.handoff_state == "sent" and item.attempts.filter(ok=True).count() == 1
        assert _files(drop) == [f"{item.stem}.csv", f"{item.stem}.json"]
        first = (drop / f"{item.stem}.json").read_bytes()
        # sent again (the operator re-sends the visit): the same names, the same content
        out = io.StringIO()
        call_command("ido", "send", "--visit", str(f.id), stdout=out)
        assert json.loads(out.getvalue()) == {"retried": 1, "sent": 1, "undelivered": 0}
        assert _files(drop) == [f"{item.stem}.csv", f"{item.stem}.json"]
        assert (drop / f"{item.stem}.json").read_bytes() == first
        assert "すべての異動記録を基幹系に受け渡しました" in clerk_client.get(
            "/counter/ido/"
        ).content.decode("utf-8")


def test_a_cancelled_signed_visit_produces_a_cancellation_record(
    clerk_client,
    families,
    drop_folder,
    django_capture_on_commit_callbacks,
):
    tmp_path = drop_folder
    with django_capture_on_commit_callbacks(execute=True):
        f = _sign(clerk_client)
        f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
        f.step("cancel-signed", reason="届出人が届出を取り下げた")
    first, cancel = IdoHandOff.objects.filter(visit_id=f.id).order_by("version")
    assert cancel.record_type == "cancel" and cancel.version > first.version
    assert cancel.handoff_state == "sent"
    data = json.loads((tmp_path / f"{cancel.stem}.json").read_text("utf-8"))
    assert cancel.stem.endswith("-cancel")
    assert data["record_type"] == "cancel" and data["replaces"] == first.stem
    assert {r["record_type"] for r in data["records"]} == {"cancel"}
    strip = [{k: v for k, v in r.items() if k != "record_type"} for r in data["records"]]
    assert strip == [{k: v for k, v in r.items() if k != "record_type"} for r in first.rows]
    assert "届出人が届出を取り下げた" not in json.dumps(data, ensure_ascii=False)
    # the nightly batch has no row of a cancelled visit
    assert not [r for v in ido.signed_visits() for r in ido.records(v)]


@override_settings(MADOGUCHI_HANDOFF_ROUTES={"ido": "simulated"})
def test_a_cancellation_waits_for_the_record_it_voids(
    clerk_client,
    families,
    django_capture_on_commit_callbacks,
):
    handoff.simulated.set_unavailable("ido")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            f = _sign(clerk_client)
            f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
            f.step("cancel-signed", reason="取下げ")
        first, cancel = IdoHandOff.objects.filter(visit_id=f.id).order_by("version")
        assert (first.handoff_state, cancel.handoff_state) == ("failed", "pending")
        assert not cancel.attempts.exists()  # not tried before the record it voids
        out = io.StringIO()
        with pytest.raises(SystemExit):
            call_command("ido", "retry", "--all", stdout=out)
        assert json.loads(out.getvalue())["undelivered"] == 2
    finally:
        handoff.simulated.set_unavailable("ido", False)
    call_command("ido", "retry", "--all", stdout=io.StringIO())
    assert list(
        IdoHandOff.objects.filter(visit_id=f.id)
        .order_by("version")
        .values_list("handoff_state", flat=True)
    ) == ["sent", "sent"]
    order = [a.handoff.version for a in IdoHandOffAttempt.objects.filter(ok=True).order_by("id")]
    assert order == sorted(order)


def test_the_local_route_keeps_the_nightly_batch(
    clerk_client,
    families,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        f = _sign(clerk_client)
    item = IdoHandOff.objects.get(visit_id=f.id)
    assert item.handoff_state == "sent" and item.reference == f"local:{item.pk}"
    assert not list(tmp_path.iterdir())
    html = clerk_client.get("/counter/ido/").content.decode()
    assert "夜間の一括出力" in html


def test_a_protected_person_is_marked_in_the_record(clerk_client, families):
    from madoguchi.counter.models import Visit
    from madoguchi.register.models import Person

    f, _son, _bride = son_marries(clerk_client)
    # protected after the identification (a same-day decision): the record marks her
    Person.objects.filter(atena_no="300021").update(support_measure=True)
    rows = ido.records(Visit.objects.get(pk=f.id))
    marks = {r["atena_no"]: r["support_measure"] for r in rows}
    assert marks == {"300013": "", "300021": "1"}


def test_a_withdrawn_move_after_signing_is_a_new_version(
    clerk_client,
    families,
    drop_folder,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        f = _sign(clerk_client)
        registry = [p["id"] for p in f.v["result"]["procedures"] if p["id"].startswith("registry.")]
        others = [p["id"] for p in f.v["result"]["procedures"] if p["id"] not in registry]
        # a procedure that does not change the register: no new version
        f.step("withdraw", procedure=others[0], reason="後日")
        assert IdoHandOff.objects.filter(visit_id=f.id).count() == 1
        for proc in registry:  # the registration itself withdrawn
            f.step("withdraw", procedure=proc, reason="届出の取下げ")
    versions = list(IdoHandOff.objects.filter(visit_id=f.id).order_by("version"))
    assert len(versions) == 2 and versions[1].record_type == "ido"
    assert {r["event"] for r in versions[0].rows} == {"marriage", "move_within"}
    assert {r["event"] for r in versions[1].rows} == {"marriage"}  # the move is gone
    data = json.loads((drop_folder / f"{versions[1].stem}.json").read_text("utf-8"))
    assert data["replaces"] == versions[0].stem


def test_the_routes_are_checked_at_start(settings, tmp_path):
    from madoguchi.counter.checks import check_handoff_routes

    settings.MADOGUCHI_HANDOFF_ROUTES = {"ido": "ido_file", "insurance": "nhi_system"}
    settings.MADOGUCHI_IDO_DROP_DIR = ""
    assert [m.id for m in check_handoff_routes(None)] == ["madoguchi.E201", "madoguchi.E202"]
    settings.MADOGUCHI_HANDOFF_ROUTES = {"ido": "ido_file"}
    settings.MADOGUCHI_IDO_DROP_DIR = str(tmp_path / "not-mounted")
    assert [m.id for m in check_handoff_routes(None)] == ["madoguchi.W203"]
    settings.MADOGUCHI_IDO_DROP_DIR = str(tmp_path)
    assert check_handoff_routes(None) == []


def test_a_route_to_an_unknown_plugin_fails_and_is_kept(
    clerk_client, families, settings, django_capture_on_commit_callbacks
):
    settings.MADOGUCHI_HANDOFF_ROUTES = {"ido": "kikan_api"}
    with django_capture_on_commit_callbacks(execute=True):
        f = _sign(clerk_client)  # signing is not refused: the record waits
    item = IdoHandOff.objects.get(visit_id=f.id)
    assert item.handoff_state == "failed"
    assert "不明な連携方式" in item.attempts.get().error
    settings.MADOGUCHI_HANDOFF_ROUTES = {}
    assert retry_handoffs(force=True)["ido"] == {"retried": 1, "sent": 1}
