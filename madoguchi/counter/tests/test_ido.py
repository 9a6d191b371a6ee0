"""The 異動 file of signed visits (JSON and CSV) and its reconciliation with the next
register import (docs/ido.md)."""

import csv
import io
import json
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from madoguchi.audit.models import AuditRecord
from madoguchi.counter import ido
from madoguchi.counter.models import Visit

from .test_households import son_marries


def _signed_marriage(clerk_client):
    return Visit.objects.get(pk=signed_marriage_flow(clerk_client).id)


def signed_marriage_flow(clerk_client):
    """The son marries and forms a new household at a new address, signed (the flow)."""
    f, son, bride = son_marries(clerk_client)
    f.step("new-name", pid=bride, surname="北見", surname_kana="キタミ")
    f.step("applicant", applicant=son)
    f.step("address", postal_code="090-0025", town_index=0, banchi="4丁目2番地", katagaki="")
    f.step("confirm")
    assert clerk_client.get(f"/api/counter/visits/{f.id}/bundle.pdf").status_code == 200
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    f.step("sign", id_document="my_number_card")
    return f


def test_the_ido_file_of_a_signed_visit(clerk_client, families, tmp_path):
    visit = _signed_marriage(clerk_client)
    out = io.StringIO()
    call_command("ido", "export", "--out", str(tmp_path), stdout=out)
    assert json.loads(out.getvalue())["records"] == 4  # 2 persons × (転居, 婚姻)
    day = timezone.localdate().strftime("%Y%m%d")
    data = json.loads((tmp_path / f"ido-{day}.json").read_text("utf-8"))
    rows = {(r["event"], r["atena_no"]): r for r in data["records"]}
    move = rows[("move_within", "300021")]
    assert move["visit_id"] == visit.pk
    assert move["name"] == "北見　彩" and move["former_name"] == "美幌　彩"
    assert move["old_address"] == "北海道北見市北四条東5丁目2番地コーポ北見101"
    assert move["new_address"] == "北海道北見市北五条東4丁目2番地"
    assert (move["household_before"], move["head_before"]) == ("300002", "美幌　彩")
    assert (move["household_after"], move["head_after"]) == ("new1", "北見　健太")
    assert move["zokugara_after"] == "妻" and move["notifier"] == "北見　健太"
    son = rows[("move_within", "300013")]
    assert (son["head_before"], son["zokugara_after"]) == ("北見　正", "世帯主")
    assert son["old_address"] == "北海道北見市北四条東3丁目1番地"  # not his 転入前住所
    table = list(csv.DictReader(io.StringIO((tmp_path / f"ido-{day}.csv").read_text("utf-8"))))
    assert [c for c, _h in ido.COLUMNS] == list(table[0])
    assert len(table) == 4
    assert "個人番号" not in (tmp_path / f"ido-{day}.csv").read_text("utf-8")
    assert AuditRecord.objects.filter(action="ido.export").exists()


def test_reconciliation_with_the_next_register_import(
    clerk_client,
    families,
    staff_factory,
):
    from madoguchi.register.models import Household, Person

    _signed_marriage(clerk_client)
    user = staff_factory("kanri", "manager")
    checks = ido.reconcile_visits(ido.signed_visits(), user, timezone.localdate(), 3)
    assert {c.status for c in checks} == {"反映待ち"}  # the core system has not run yet
    # the next import: the core system registered the son's new household and address,
    # but not the bride's new name
    new = Household.objects.create(household_no="300099")
    for atena in ("300013", "300021"):
        Person.objects.filter(atena_no=atena).update(
            household=new, town="北五条東", banchi="4丁目2番地", katagaki=""
        )
    Person.objects.filter(atena_no="300013").update(relationship="世帯主")
    Person.objects.filter(atena_no="300021").update(relationship="妻")
    later = timezone.localdate() + timedelta(days=5)
    checks = ido.reconcile_visits(ido.signed_visits(), user, later, 3)
    by = {(c.row["event"], c.row["atena_no"]): c for c in checks}
    assert by[("move_within", "300013")].status == "一致"
    bride = by[("move_within", "300021")]
    assert bride.status == "相違"
    assert bride.differences == [("name", "北見　彩", "美幌　彩")]
    lines = [ido.check_line(c) for c in checks]
    assert any("氏名: 窓口「北見　彩」台帳「美幌　彩」" in line for line in lines)
    # a protected person: masked for staff without the permission
    Person.objects.filter(atena_no="300021").update(support_measure=True)
    checks = ido.reconcile_visits(ido.signed_visits(), user, later, 3)
    masked = [c for c in checks if c.masked]
    assert masked and all(
        "彩" not in json.dumps(ido.check_dict(c), ensure_ascii=False) for c in masked
    )
    record = AuditRecord.objects.filter(action="register.reconcile").order_by("seq").last()
    assert record.flagged


def test_the_reconciliation_page(clerk_client, families):
    _signed_marriage(clerk_client)
    html = clerk_client.get("/counter/ido/?days=0").content.decode()
    assert "北見　健太" in html and 'warn">反映待ち' not in html  # no grace days
    assert "未反映" in html or "相違" in html
    assert AuditRecord.objects.filter(action="register.reconcile").exists()


def test_no_reconcile_read_is_audited_when_no_person_is_asked_for(families):
    from madoguchi.register.services import persons_for_reconcile

    before = AuditRecord.objects.filter(action="register.reconcile").count()
    assert persons_for_reconcile(["", " "], None, query="ido.reconcile") == ({}, set())
    assert AuditRecord.objects.filter(action="register.reconcile").count() == before
