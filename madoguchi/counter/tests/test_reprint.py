"""Printed documents that no longer match the visit (services/printing.py): a 同席 mark
made after printing asks for the guide sheet again, reprinted alone from the visit's
stored data, recorded with its edition and audited; a procedure withdrawn after signing
or a correction flags the whole bundle (docs/counter.md "Printed, then changed")."""

import pytest

from madoguchi.audit.models import AuditRecord
from madoguchi.counter.models import Visit

from .test_at_counter import _move_in_with_nhi, _print
from .test_entry import pdf_text


@pytest.fixture
def hoken(staff_factory):
    """A clerk of the 保険医療課 who comes to the counter (同席)."""
    return staff_factory("hoken", "department", "insurance", last_name="保険", first_name="太郎")


def _guide(text: str) -> str:
    return text[text.index("手続き案内票") :]


def test_a_mark_after_printing_asks_for_the_guide_sheet_again(clerk_client, pending_family, hoken):
    f = _move_in_with_nhi(clerk_client)
    first = pdf_text(_print(clerk_client, f))
    (p1,) = f.v["prints"]
    assert (p1["kind"], p1["edition"], p1["step"]) == ("bundle", 1, "printed")
    assert f.v["stale"] == {}
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'id="reprint"' not in page and "印刷の記録（1回）" in page
    assert "窓口で手続済み" not in _guide(first)
    # the 保険医療課 came to the counter after the bundle was printed
    f.step("at-counter", procedure="nhi.enroll", status="done", staff="hoken")
    assert f.v["stale"]["guide"] and not f.v["stale"]["forms"]
    assert "窓口での対応（同席）を記録しました" in f.v["stale"]["reasons"]
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    banner = page[page.index('id="reprint"') :][:1200]
    assert "案内票を印刷し直してください" in banner and 'id="reprint-guide"' in banner
    assert 'data-key="r"' in banner and f"/counter/visits/{f.id}/guide.pdf" in banner
    # one key: the guide sheet alone, rendered again from the stored visit
    before = Visit.objects.get(pk=f.id).version
    r = clerk_client.get(f"/counter/visits/{f.id}/guide.pdf")
    assert r.status_code == 200
    text = pdf_text(r.content)
    assert "手続き案内票" in text and "住民異動届" not in text.replace(_guide(text), "")
    row = text[text.index("国民健康保険加入") :][:60]
    assert "窓口で手続済み" in row
    visit = Visit.objects.get(pk=f.id)
    assert visit.version == before and visit.step == "printed"  # nothing the clerk edits
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    assert f.v["stale"] == {}
    p2 = f.v["prints"][-1]
    assert (p2["kind"], p2["edition"], p2["at_counter"]) == ("guide", 1, {"nhi.enroll": "done"})
    rec = AuditRecord.objects.filter(action="visit.reprint_guide").get()
    assert f"visit:{f.id} guide#1" in rec.query and rec.person_ids
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert 'id="reprint"' not in page and "案内票のみ 第1版" in page
    assert clerk_client.get(f"/counter/visits/{f.id}/step/?prints=1").content == b"printed:2"
    # the sign step still follows: the resident signs what was handed over
    f.step("sign", id_document="my_number_card")
    assert f.v["step"] == "done"


def test_the_guide_sheet_alone_needs_a_first_print(clerk_client, pending_family):
    f = _move_in_with_nhi(clerk_client)
    f.step("confirm")
    r = clerk_client.get(f"/api/counter/visits/{f.id}/guide.pdf")
    assert r.status_code == 400 and r.json()["errors"][0]["field"] == "step"
    assert not AuditRecord.objects.filter(action="visit.reprint_guide").exists()


def test_a_withdrawal_after_signing_flags_the_bundle(
    clerk_client, pending_family, django_capture_on_commit_callbacks
):
    f = _move_in_with_nhi(clerk_client)
    _print(clerk_client, f)
    with django_capture_on_commit_callbacks(execute=True):
        f.step("sign", id_document="my_number_card")
    f.step("withdraw", procedure="nhi.enroll", reason="勤務先の保険に加入する")
    stale = f.v["stale"]
    assert stale["forms"] and stale["guide"]
    assert "手続が変わりました（取下げなど）" in stale["reasons"]
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "申請書一式を印刷し直してください" in page and 'id="reprint-bundle"' in page
    # the reprint leaves the withdrawn procedure out, and records the second edition
    text = pdf_text(clerk_client.get(f"/counter/visits/{f.id}/bundle.pdf").content)
    assert "国民健康保険加入" not in _guide(text)
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    assert f.v["stale"] == {} and [p["edition"] for p in f.v["prints"]] == [1, 2]
    assert f.v["prints"][-1]["step"] == "done"


def test_a_protected_visit_reprints_only_for_the_permitted(client, staff_factory, pending_family):
    from madoguchi.register.models import Person

    client.force_login(staff_factory("perm", "manager", "citizen", may_see_protected=True))
    f = _move_in_with_nhi(client)
    _print(client, f)
    Person.objects.filter(atena_no="P0000000012").update(support_measure=True)
    assert client.get(f"/counter/visits/{f.id}/guide.pdf").status_code == 200
    rec = AuditRecord.objects.filter(action="visit.reprint_guide").get()
    assert rec.flagged  # a protected person's guide sheet
    client.force_login(staff_factory("other", "manager", "citizen"))
    for url in (f"/counter/visits/{f.id}/guide.pdf", f"/api/counter/visits/{f.id}/guide.pdf"):
        r = client.get(url)
        assert r.status_code == 403 and b"%PDF" not in r.content
    assert AuditRecord.objects.filter(action="visit.reprint_guide").count() == 1


def test_a_correction_after_printing_flags_the_bundle(clerk_client, pending_family):
    """The phone every form prints, corrected after printing: the forms are stale."""
    f = _move_in_with_nhi(clerk_client)
    _print(clerk_client, f)
    f.step("capture", values={"visit": {"phone": "0157-99-1234"}})
    stale = f.v["stale"]
    assert stale["forms"] and stale["reasons"] == ["印刷した内容を訂正しました"]
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "申請書一式を印刷し直してください" in page and 'id="reprint-bundle"' in page
    text = pdf_text(clerk_client.get(f"/counter/visits/{f.id}/bundle.pdf").content)
    assert "0157-99-1234" in text
    f.v = clerk_client.get(f"/api/counter/visits/{f.id}").json()
    assert f.v["stale"] == {}
