"""Undo at the counter with a reason: remove a person, withdraw a procedure, cancel a
signed visit (its tasks are withdrawn from the departments)."""

from madoguchi.audit.models import AuditRecord
from madoguchi.tasks.models import Task

from .test_visit import Flow


def _signed_move(clerk_client):
    f = Flow(clerk_client, purpose="move_within")
    f.step("identify", atena_no="200001")
    f.step("address", postal_code="090-0025", town_index=0, banchi="4丁目2番地", katagaki="")
    f.step("confirm")
    assert clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").status_code == 200
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.step("sign", id_document="my_number_card")
    return f


def test_remove_a_person_added_by_mistake_and_undo_the_identification(clerk_client, household):
    f = Flow(clerk_client, purpose="marriage")
    f.step("identify", atena_no="200009")
    f.step("persons", atena_no="200001")  # the wrong resident
    wrong = f.pid("200001")
    f.step("event-details", event="marriage", details={"couple": ["p1", wrong]})
    f.step("remove-person", pid=wrong, reason="", expect=400)
    f.step("remove-person", pid=wrong, reason="別人を追加した")
    assert wrong not in [p["pid"] for p in f.v["persons"]]
    assert f.v["events"][0]["details"] == {"couple": ["p1"]}
    assert f.v["removed"][0]["reason"] == "別人を追加した"
    assert AuditRecord.objects.filter(action="visit.remove_person").exists()
    for p in list(f.v["persons"]):
        f.step("remove-person", pid=p["pid"], reason="本人特定の誤り")
    assert f.v["persons"] == [] and f.v["household_no"] == ""
    f.step("identify", atena_no="200001")  # identified again, from scratch
    assert len(f.v["persons"]) == 4


def test_withdraw_and_restore_a_procedure_before_signing(clerk_client, household):
    f = Flow(clerk_client, purpose="move_within")
    f.step("identify", atena_no="200001")
    f.step("address", postal_code="090-0025", town_index=0, banchi="4丁目2番地", katagaki="")
    assert "dog.registration_change" in f.procedures()
    f.step("withdraw", procedure="dog.registration_change", reason="", expect=400)
    f.step("withdraw", procedure="dog.registration_change", reason="犬は後日届け出る")
    assert "dog.registration_change" not in f.procedures()
    assert [p["id"] for p in f.v["result"]["withdrawn"]] == ["dog.registration_change"]
    f.step("restore", procedure="dog.registration_change")
    assert "dog.registration_change" in f.procedures()
    f.step("withdraw", procedure="dog.registration_change", reason="犬は後日届け出る")
    f.step("confirm")
    assert clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").status_code == 200
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.step("sign", id_document="my_number_card")
    assert not Task.objects.filter(visit_id=f.id, procedure_id="dog.registration_change").exists()


def test_cancel_a_signed_visit_withdraws_its_tasks(clerk_client, household, staff_factory):
    f = _signed_move(clerk_client)
    tasks = Task.objects.filter(visit_id=f.id)
    assert tasks.exists() and not tasks.filter(status="withdrawn").exists()
    f.step("withdraw", procedure="dog.registration_change", reason="犬は転出済み")
    assert (
        Task.objects.get(visit_id=f.id, procedure_id="dog.registration_change").status
        == "withdrawn"
    )
    f.step("cancel-signed", reason="", expect=400)
    f.step("cancel-signed", reason="届出人が届出を取り下げた")
    assert f.v["step"] == "cancelled"
    assert set(tasks.values_list("status", flat=True)) == {"withdrawn"}
    last = tasks.first().history.last()
    assert last.reason == "届出人が届出を取り下げた"
    # the departments' queues no longer list them
    clerk_client.force_login(staff_factory("shimin", "department", "citizen"))
    assert clerk_client.get("/api/tasks/").json() == []
    clerk_client.force_login(staff_factory("shimin2", "department", "citizen"))
    assert AuditRecord.objects.filter(action="visit.cancel_signed").count() == 1
