"""The 異動 record's hand-off state on the visit screen and its API read: each version
送信待ち / 送信済み (when, file names) / 失敗 (the error, 「再送」 audited) / 取消, and once
delivered the reconciliation 一致 / 反映待ち / 要確認 with the reconcile page's link
(docs/ido.md, "On the visit"). 支援措置: the visit's door refuses staff without the
permission, for the fragment, the retry and the API alike."""

import pytest
from django.test import override_settings

from madoguchi.audit.models import AuditRecord
from madoguchi.counter.models import IdoHandOff
from madoguchi.register.models import Household, Person
from madoguchi.tasks import handoff

from .test_ido import signed_marriage_flow as _sign


def _ido(client, visit_id):
    return client.get(f"/api/counter/visits/{visit_id}").json()["ido"]


def _reflect_in_the_register():
    """The next register import: the core system registered the couple as signed."""
    new = Household.objects.create(household_no="300099")
    for atena in ("300013", "300021"):
        Person.objects.filter(atena_no=atena).update(
            household=new, town="北五条東", banchi="4丁目2番地", katagaki=""
        )
    Person.objects.filter(atena_no="300013").update(relationship="世帯主")
    Person.objects.filter(atena_no="300021").update(relationship="妻", name="北見　彩")


def test_a_failed_record_is_shown_resent_and_reconciled(
    clerk_client, families, tmp_path, django_capture_on_commit_callbacks
):
    drop = tmp_path / "share"  # the core system's share is not mounted
    with override_settings(
        MADOGUCHI_HANDOFF_ROUTES={"ido": "ido_file"}, MADOGUCHI_IDO_DROP_DIR=str(drop)
    ):
        with django_capture_on_commit_callbacks(execute=True):
            f = _sign(clerk_client)
        item = IdoHandOff.objects.get(visit_id=f.id)
        state = _ido(clerk_client, f.id)
        assert state["state"] == "failed" and state["retry"] and state["reconcile"] is None
        (v,) = state["versions"]
        assert (v["stem"], v["state"], v["state_label"]) == (item.stem, "failed", "失敗")
        assert "受け渡しフォルダがありません" in v["error"] and v["files"] == []
        assert v["attempts"] == 1 and v["persons"] == 2 and v["latest"]
        page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
        assert 'id="ido-state"' in page and 'id="ido-retry"' in page
        assert "失敗" in page and "受け渡しフォルダがありません" in page
        # the share is back: 「再送」 from the visit, audited with who asked
        drop.mkdir()
        r = clerk_client.post(f"/counter/visits/{f.id}/ido/retry/", HTTP_HX_REQUEST="true")
        assert r.status_code == 200
        page = r.content.decode()
        assert f"{item.stem}.json" in page and f"{item.stem}.csv" in page
        assert "送信済み" in page and 'id="ido-retry"' not in page
        resend = AuditRecord.objects.get(action="ido.resend")
        assert resend.actor_id and f"visit:{f.id}" in resend.query
        state = _ido(clerk_client, f.id)
        (v,) = state["versions"]
        assert (
            v["state"] == "sent"
            and v["sent_at"]
            and v["files"]
            == [
                f"{item.stem}.json",
                f"{item.stem}.csv",
            ]
        )
        # delivered: compared with the register as last imported — not there yet
        assert state["reconcile"]["summary"] == "反映待ち"
        assert {r["status"] for r in state["reconcile"]["rows"]} == {"反映待ち"}
        assert f'href="/counter/ido/?visit={f.id}"' in page and "反映待ち" in page
    _reflect_in_the_register()
    state = _ido(clerk_client, f.id)
    assert state["reconcile"]["summary"] == "一致"
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'class="badge ok">一致' in page
    # the reconcile page, filtered to the visit
    html = clerk_client.get(f"/counter/ido/?visit={f.id}").content.decode()
    assert "北見　健太" in html and f'name="visit" size="6" value="{f.id}"' in html


def test_a_difference_is_to_be_checked(
    clerk_client, families, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        f = _sign(clerk_client)  # the local route: delivered by the nightly batch
    (v,) = _ido(clerk_client, f.id)["versions"]
    assert v["state"] == "sent" and v["nightly"] and v["files"] == []
    _reflect_in_the_register()
    Person.objects.filter(atena_no="300021").update(name="美幌　彩")  # name not changed
    assert _ido(clerk_client, f.id)["reconcile"]["summary"] == "反映待ち"  # within the days
    settings.MADOGUCHI_IDO_WAIT_DAYS = 0
    state = _ido(clerk_client, f.id)
    assert state["reconcile"]["summary"] == "要確認"
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'class="badge warn">要確認' in page and "夜間の一括出力" in page


@override_settings(MADOGUCHI_HANDOFF_ROUTES={"ido": "simulated"})
def test_a_cancelled_visit_shows_its_cancellation_waiting(
    clerk_client, families, django_capture_on_commit_callbacks
):
    handoff.simulated.set_unavailable("ido")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            f = _sign(clerk_client)
            f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
            f.step("cancel-signed", reason="取下げ")
        state = _ido(clerk_client, f.id)
        first, cancel = state["versions"]
        assert (first["state"], first["cancel"]) == ("failed", False)
        assert (cancel["state"], cancel["cancel"], cancel["state_label"]) == (
            "pending",
            True,
            "送信待ち",
        )
        assert cancel["waiting_for_earlier"] and state["state"] == "cancel"
        assert state["reconcile"] is None  # a cancelled visit is not reconciled
        page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
        assert "取消" in page and "前の版の送信を待っています" in page
    finally:
        handoff.simulated.set_unavailable("ido", False)
    # the API's 「再送」: both versions, in order
    r = clerk_client.post(f"/api/counter/visits/{f.id}/ido/retry", content_type="application/json")
    assert r.status_code == 200
    assert [v["state"] for v in r.json()["ido"]["versions"]] == ["sent", "sent"]


def test_before_signing_there_is_no_state(clerk_client, families):
    from .test_households import son_marries

    f, _son, _bride = son_marries(clerk_client)
    assert f.v["ido"] == {}
    assert 'id="ido-state"' not in clerk_client.get(f"/counter/visits/{f.id}/").content.decode()


@pytest.mark.parametrize("door", ["page", "retry", "api", "api_retry"])
def test_a_protected_visit_leaks_nothing_of_its_record(
    client, staff_factory, families, django_capture_on_commit_callbacks, door
):
    holder = staff_factory("perm", "manager", "citizen", may_see_protected=True)
    client.force_login(holder)
    with override_settings(MADOGUCHI_HANDOFF_ROUTES={"ido": "simulated"}):
        handoff.simulated.set_unavailable("ido")
        try:
            with django_capture_on_commit_callbacks(execute=True):
                f = _sign(client)
        finally:
            handoff.simulated.set_unavailable("ido", False)
    Person.objects.filter(atena_no="300021").update(support_measure=True)
    assert _ido(client, f.id)["state"] == "failed"  # the permitted see it
    client.force_login(staff_factory("other", "manager", "citizen"))
    r = {
        "page": lambda: client.get(f"/counter/visits/{f.id}/"),
        "retry": lambda: client.post(f"/counter/visits/{f.id}/ido/retry/"),
        "api": lambda: client.get(f"/api/counter/visits/{f.id}"),
        "api_retry": lambda: client.post(
            f"/api/counter/visits/{f.id}/ido/retry", content_type="application/json"
        ),
    }[door]()
    body = r.content.decode()
    assert r.status_code == 403 and "彩" not in body and "ido-" not in body
    assert not AuditRecord.objects.filter(action="ido.resend").exists()
    assert IdoHandOff.objects.get(visit_id=f.id).handoff_state == "failed"
