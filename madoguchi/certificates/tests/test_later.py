"""The 戸籍の附票, the 印影 kept with the issued record, refunds of copies not delivered
(the till still equals the records), certificates issued later (後日交付), and kind
names in English."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from django.utils.translation import override

from madoguchi.audit.models import AuditRecord
from madoguchi.certificates import deferred
from madoguchi.certificates import render as pdf
from madoguchi.certificates import services as s
from madoguchi.certificates.catalog import current
from madoguchi.certificates.models import (
    Certificate,
    DeferredRequest,
    DeferredStatus,
    SealRegistration,
    SealStatus,
)
from madoguchi.certificates.samples import single_household
from madoguchi.certificates.seals import impression_svg
from madoguchi.certificates.tests.helpers import new_url
from madoguchi.register.models import Person

HERE = "北海道北見市北一条西1丁目"


def _req(atena="200001", kind="juminhyo_all", copies=1, items=None, **kw):
    return s.RequestIn(subject_atena_no=atena, lines=[s.Line(kind, copies, items)], **kw)


@pytest.fixture
def koseki(city):
    """The household's 本籍 in this city (the 附票 is kept here) and a relative of the
    same 戸籍 who moved away."""
    Person.objects.filter(household__household_no="100001").update(
        honseki=HERE + "5番地", hittousha="髙橋　太郎", former_address="東京都港区芝公園4丁目2番8号"
    )
    gone = Person.objects.get(atena_no="400001")
    gone.honseki, gone.hittousha = HERE + "5番地", "髙橋　太郎"
    gone.save()
    return city


# ------------------------------------------------------------------ 戸籍の附票


def test_fuhyo_only_where_the_city_keeps_it(city, clerk):
    # the sample city's 本籍 (北海道見本市…) is not in this city: not offered
    assert not s.offers_fuhyo(Person.objects.get(atena_no="200001"))
    with pytest.raises(s.CertificateError, match="本籍地") as exc:
        s.issue(_req(kind="fuhyo"), clerk)
    assert exc.value.field == "kind" and not Certificate.objects.exists()


def test_fuhyo_prints_the_address_history_of_the_persons_asked(koseki, clerk):
    assert s.offers_fuhyo(Person.objects.get(atena_no="200001"))
    req = s.issue(
        s.RequestIn(
            subject_atena_no="200001", lines=[s.Line("fuhyo", 1, [], ["200001", "400001"])]
        ),
        clerk,
    )
    cert = req.certificates.get()
    assert cert.person_atena_nos == ["400001", "200001"]  # by birth date, both in the 戸籍
    assert cert.fee == current().kinds["fuhyo"].fee
    data = pdf.certificate_data(cert)
    assert data["fuhyo"]["honseki"] == HERE + "5番地"
    gone, taro = data["fuhyo"]["persons"]
    assert [a["address"] for a in taro["addresses"]][0] == "東京都港区芝公園4丁目2番8号"
    assert gone["addresses"][-1]["address"] == "東京都千代田区千代田1番1号"  # moved out
    assert gone["addresses"][-1]["since"]  # the day of removal, 和暦
    text = _pdf_text(pdf.render_certificates([cert]))
    assert "戸籍の附票の写し" in text and "住所を定めた年月日" in text


def test_fuhyo_someone_outside_the_koseki_is_refused_by_field(koseki, clerk):
    Person.objects.filter(atena_no="200002").update(hittousha="別の　筆頭者")
    with pytest.raises(s.CertificateError) as exc:
        s.issue(
            s.RequestIn(subject_atena_no="200001", lines=[s.Line("fuhyo", 1, [], ["200002"])]),
            clerk,
        )
    assert exc.value.field == "persons"


def test_fuhyo_who_may_ask_follows_article_20(koseki, clerk):
    # the household's member is no requester of a 附票 (同一世帯 is 住民票's 12条)
    with pytest.raises(s.CertificateError) as exc:
        s.issue(_req(kind="fuhyo", requester_type="household", requester_atena_no="200002"), clerk)
    assert exc.value.field == "requester_type"
    # 配偶者・直系尊属卑属 (20条1項): name and address asked
    with pytest.raises(s.CertificateError) as exc:
        s.issue(_req(kind="fuhyo", requester_type="kin"), clerk)
    assert exc.value.field == "requester_name"
    req = s.issue(
        _req(
            kind="fuhyo",
            requester_type="kin",
            requester_name="髙橋　一",
            requester_address="札幌市",
        ),
        clerk,
    )
    assert req.certificates.get().kind == "fuhyo"
    # kin is no requester of a 住民票
    with pytest.raises(s.CertificateError):
        s.issue(_req(requester_type="kin", requester_name="x", requester_address="y"), clerk)


def test_fuhyo_of_a_protected_person_refused_to_others(koseki, protected_clerk):
    Person.objects.filter(atena_no="200001").update(support_measure=True)
    with pytest.raises(s.Refused):
        s.issue(
            _req(
                kind="fuhyo",
                requester_type="third_party",
                requester_name="債権　者",
                requester_address="東京都",
                purpose="債権回収",
                legal_basis="契約書",
            ),
            protected_clerk,
        )
    assert AuditRecord.objects.filter(action="certificates.refused", flagged=True).exists()
    assert not Certificate.objects.exists()


# ------------------------------------------------------------------ 印影 kept with the record


def test_reprint_shows_the_issued_impression_after_the_seal_changes(city, clerk):
    req = s.issue(_req(kind="seal", requester_type="card", seal_card_no="S0000001"), clerk)
    cert = req.certificates.get()
    issued = bytes(cert.impression)
    assert issued == impression_svg("髙橋") and len(cert.impression_digest) == 64
    before = pdf.certificate_data(cert)["impression"]
    # the seal is abolished and a new one registered after the issue
    SealRegistration.objects.filter(atena_no="200001").update(status=SealStatus.ABOLISHED)
    SealRegistration.objects.create(
        registration_no="00000099",
        atena_no="200001",
        card_no="S0000099",
        impression=impression_svg("新印"),
        impression_format="svg",
    )
    s.record_reprint(cert.pk, clerk, "汚損")
    again = pdf.certificate_data(Certificate.objects.get(pk=cert.pk))["impression"]
    assert again == before and again["registration_no"] == "00000001"
    assert "新印"[0] not in again["svg"]
    v = s.verify(cert.code, clerk)
    assert v.authentic and v.certificate.impression_digest == cert.impression_digest


def test_verify_page_shows_the_impression(city, clerk, client):
    req = s.issue(_req(kind="seal", requester_type="card", seal_card_no="S0000001"), clerk)
    cert = req.certificates.get()
    client.force_login(clerk)
    page = client.post("/certificates/verify/", {"code": cert.code}).content.decode()
    assert 'id="verify-impression"' in page and cert.impression_digest in page


# ------------------------------------------------------------------ refunds and the till


def test_partial_refund_keeps_the_certificate_and_the_till_equals_the_records(city, clerk):
    req = s.issue(_req(copies=3), clerk)
    cert = req.certificates.get()
    action = s.refund_copies(cert.pk, clerk, 1, "1通不要")
    assert (action.copies, action.refund) == (1, 300)
    assert s.status_of(cert) == "valid" and s.delivered_copies(cert) == 2
    # a refund of every copy left is a void, not a refund
    with pytest.raises(s.CertificateError) as exc:
        s.refund_copies(cert.pk, clerk, 2, "全部")
    assert exc.value.field == "copies"
    other = s.issue(_req(copies=2, payment_method="cashless"), clerk).certificates.get()
    void = s.void(other.pk, clerk, "誤交付")
    assert void.refund == 600
    # a void after a partial refund refunds only what is left
    v2 = s.void(cert.pk, clerk, "取消")
    assert (v2.refund, v2.copies) == (600, 2)
    t = s.till(timezone.localdate())
    fees = sum(c.fee for c in Certificate.objects.all())
    refunds = sum(a.refund for c in Certificate.objects.all() for a in c.actions.all())
    assert (t.total, t.refunds, t.net) == (fees, refunds, fees - refunds) == (1500, 1500, 0)
    text = s.till_csv(t).decode("utf-8-sig")
    assert "一部返金," in text and "差引,,,,,0" in text and "返金合計,,,,,-1500,3" in text
    body = _pdf_text(pdf.render_till(t))
    assert "一部返金" in body


def test_reissue_after_a_partial_refund_is_for_the_copies_kept(city, clerk):
    cert = s.issue(_req(copies=3), clerk).certificates.get()
    s.refund_copies(cert.pk, clerk, 1, "1通不要")
    new = s.reissue(cert.pk, clerk, "記載誤り")
    assert (new.copies, new.fee) == (2, 600)
    t = s.till(timezone.localdate())
    assert t.net == 600  # 900 + 600 taken, 300 + 600 refunded


# ------------------------------------------------------------------ 後日交付


def test_deferred_until_the_register_shows_the_new_address(city, clerk):
    d = deferred.defer(_req(copies=2, counter_no="3"), clerk, paid_now=True)
    assert d.status == DeferredStatus.WAITING and d.fee_total == 600 and d.receipt_no
    assert not Certificate.objects.exists()
    assert AuditRecord.objects.filter(action="certificates.defer").exists()
    (row,) = deferred.waiting(clerk)
    assert row["ready"] == ""
    with pytest.raises(s.CertificateError, match="まだ交付できません"):
        deferred.issue(d.pk, clerk, "3")
    # the next import: the register shows the new address
    Person.objects.filter(household__household_no="100001").update(
        town="北二条西", banchi="2丁目5番地"
    )
    (row,) = deferred.waiting(clerk)
    assert row["ready"] == "register"
    req = deferred.issue(d.pk, clerk, "3")
    cert = req.certificates.get()
    assert cert.payment_method == "prepaid" and cert.fee == 600 and req.receipt_no == d.receipt_no
    d.refresh_from_db()
    assert d.status == DeferredStatus.ISSUED and d.issued_request_id == req.pk
    # the till counts the money once: on the day it was paid, as a prepayment
    t = s.till(timezone.localdate(), "3")
    assert (t.total, t.prepaid, t.net) == (0, 600, 600)
    assert deferred.waiting(clerk) == []
    with pytest.raises(s.CertificateError):
        deferred.issue(d.pk, clerk, "3")


def test_deferred_on_a_date_paid_at_issue(city, clerk):
    today = timezone.localdate()
    with pytest.raises(s.CertificateError) as exc:
        deferred.defer(_req(), clerk, paid_now=False, issue_on=today - timedelta(days=1))
    assert exc.value.field == "issue_on"
    d = deferred.defer(_req(), clerk, paid_now=False, issue_on=today + timedelta(days=3))
    assert not d.receipt_no and d.paid_on is None
    with pytest.raises(s.CertificateError):
        deferred.issue(d.pk, clerk)
    DeferredRequest.objects.filter(pk=d.pk).update(issue_on=today)
    req = deferred.issue(d.pk, clerk, "1", "cashless")
    assert req.certificates.get().payment_method == "cashless" and req.receipt_no


def test_deferred_checks_now_and_a_cancel_refunds_the_prepaid_fee(city, clerk):
    with pytest.raises(s.CertificateError) as exc:
        deferred.defer(_req(copies=0), clerk, paid_now=True)
    assert exc.value.field == "copies" and not DeferredRequest.objects.exists()
    with pytest.raises(s.Refused):
        deferred.defer(_req(atena="300001"), clerk, paid_now=True)
    assert not DeferredRequest.objects.exists()
    d = deferred.defer(_req(counter_no="2"), clerk, paid_now=True)
    deferred.cancel(d.pk, clerk, "不要になった", "2")
    d.refresh_from_db()
    assert d.status == DeferredStatus.CANCELLED and d.refund == 300
    t = s.till(timezone.localdate(), "2")
    assert (t.prepaid, t.refunds, t.net) == (300, 300, 0)


def test_deferred_for_a_pending_move_in(city, clerk):
    single_household(
        "500001", "100077", "新田　来", "ニッタ　キタル", date(1990, 1, 1), "1", status="P"
    )
    d = deferred.defer(_req(atena="500001"), clerk, paid_now=False)
    assert deferred.waiting(clerk)[0]["ready"] == ""
    Person.objects.filter(atena_no="500001").update(
        status="1", prefecture="北海道", city="北見市", town="北一条西", banchi="1番地"
    )
    assert deferred.waiting(clerk)[0]["ready"] == "register"
    assert deferred.issue(d.pk, clerk).certificates.get().person_atena_nos == ["500001"]


def test_deferred_list_masks_a_protected_person(city, clerk, protected_clerk):
    d = deferred.defer(_req(atena="300001"), protected_clerk, paid_now=False)
    (row,) = deferred.waiting(clerk)
    assert row["hidden"] and "守山" not in row["name"]
    with pytest.raises(s.Refused):
        deferred.issue(d.pk, clerk)
    with pytest.raises(s.Refused):
        deferred.get(d.pk, clerk, "slip")
    assert deferred.waiting(protected_clerk)[0]["name"] == "守山　静香"


def test_deferred_pages(city, clerk, client):
    from madoguchi.counter.models import Visit

    client.force_login(clerk)
    assert 'id="defer"' not in client.get(new_url(client, "200001")).content.decode()
    visit = Visit.objects.create(clerk=clerk, event_date=timezone.localdate())
    visit.events.create(event="move_within")
    url = f"{new_url(client, '200001')}?visit={visit.pk}"
    assert 'id="defer"' in client.get(url).content.decode()
    resp = client.post(
        url,
        {
            "copies_juminhyo_all": "1",
            "items": ["head_relationship"],
            "requester_type": "self",
            "payment_method": "cash",
            "action": "defer",
            "defer_when": "import",
            "defer_paid": "now",
        },
    )
    assert resp.status_code == 302
    d = DeferredRequest.objects.get()
    listing = client.get(resp["Location"]).content.decode()
    assert d.slip_no in listing and "髙橋　太郎" in listing
    slip = client.get(f"/certificates/deferred/{d.pk}/slip.pdf")
    assert slip["Content-Type"] == "application/pdf"
    assert d.slip_no in _pdf_text(slip.content)
    resp = client.post(f"/certificates/deferred/{d.pk}/cancel/", {"reason": "不要"})
    assert resp.status_code == 302
    d.refresh_from_db()
    assert d.status == DeferredStatus.CANCELLED


# ------------------------------------------------------------------ English kind names


def test_kind_names_follow_the_ui_language(city, clerk, client):
    cat = current()
    with override("en"):
        assert cat.kinds["juminhyo_all"].label == cat.kinds["juminhyo_all"].en
    with override("ja"):
        assert cat.kinds["juminhyo_all"].label == "住民票の写し（世帯全員）"
    client.force_login(clerk)
    client.cookies["django_language"] = "en"
    page = client.get(new_url(client, "200001"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Certified copy of resident record (whole household)" in page
    d = deferred.defer(_req(copies=2), clerk, paid_now=False)
    with override("en"):
        assert deferred.kinds_label(d) == (
            "Certified copy of resident record (whole household), 2 copies"
        )
    with override("ja"):
        assert deferred.kinds_label(d) == "住民票の写し（世帯全員） 2通"


def _pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    text = "".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    return "".join(text.split())  # without the spaces of letter-spaced titles


# ------------------------------------------------------------------ the manager dashboard


def test_dashboard_shows_certificate_figures_without_persons(city, clerk, staff_factory, client):
    cert = s.issue(_req(copies=3), clerk).certificates.get()
    s.refund_copies(cert.pk, clerk, 1, "1通不要")
    s.issue(_req(atena="400001", kind="joshu"), clerk)
    with pytest.raises(s.Refused):
        s.issue(_req(atena="300001"), clerk)
    manager = staff_factory("kacho", "manager", "citizen")
    client.force_login(manager)
    page = client.get("/analytics/?days=7").content.decode()
    assert 'id="w-certificates"' in page and 'id="w-certificates_daily"' in page
    csv = client.get("/analytics/export/certificates.csv?days=7").content.decode("utf-8-sig")
    assert "住民票の写し（世帯全員）,1,3,900,300,600" in csv
    assert "住民票の除票の写し,1,1,300,0,300" in csv
    daily = client.get("/analytics/export/certificates_daily.csv?days=7").content.decode(
        "utf-8-sig"
    )
    assert f"{timezone.localdate().isoformat()},2,1200,300,900,1" in daily
    for text in (page, csv, daily):
        assert "髙橋" not in text and "200001" not in text and "守山" not in text
    # the certificate counter's own statistics count the partial refund too
    from madoguchi.certificates.stats import figures

    today = figures(1)["per_day"][-1]
    assert (today["fees"], today["refunds"], today["net"]) == (1200, 300, 900)


# ------------------------------------------------------------------ API


def test_api_refund_and_deferred(city, clerk_client):
    import json

    def post(url, body):
        return clerk_client.post(url, json.dumps(body), content_type="application/json")

    body = {"subject_atena_no": "200001", "lines": [{"kind": "juminhyo_all", "copies": 3}]}
    cert = post("/api/certificates/requests", body).json()["certificates"][0]
    r = post(f"/api/certificates/certificates/{cert['id']}/refund", {"copies": 1, "reason": "不要"})
    assert r.status_code == 200 and r.json()["refund"] == 300
    r = post(f"/api/certificates/certificates/{cert['id']}/refund", {"copies": 2, "reason": "x"})
    assert r.status_code == 400 and r.json()["detail"].startswith("copies:")
    d = post("/api/certificates/deferred", {**body, "paid_now": True}).json()
    assert d["fee_total"] == 900 and d["receipt_no"]
    (row,) = clerk_client.get("/api/certificates/deferred").json()
    assert row["slip_no"] == d["slip_no"] and row["ready"] is None
    r = post(f"/api/certificates/deferred/{d['id']}/issue", {})
    assert r.status_code == 400 and "deferred" in r.json()["detail"]
    assert post("/api/certificates/deferred/999999/issue", {}).status_code == 404
    r = post(f"/api/certificates/deferred/{d['id']}/cancel", {"reason": "不要"})
    assert r.json()["refund"] == 900 and r.json()["status"] == "cancelled"
    assert post("/api/certificates/deferred", {**body, "lines": []}).status_code == 400


# ------------------------------------------------------------------ catalog check / export


def _copy_demo(tmp_path):
    import shutil

    from madoguchi.catalog.loader import DEMO_DIR

    target = tmp_path / "cat"
    shutil.copytree(DEMO_DIR, target)
    return target


def test_catalog_check_reports_certificates_yaml_with_its_line(tmp_path):
    from madoguchi.catalog.loader import CatalogError, load_catalog

    root = _copy_demo(tmp_path)
    f = root / "certificates.yaml"
    text = f.read_text("utf-8")
    f.write_text(text.replace("  fuhyo: 300\n", ""), "utf-8")  # a kind without its fee
    line = text.splitlines().index(
        "fees:                              # 種類ごとの1通の手数料（円）"
    )
    with pytest.raises(CatalogError) as exc:
        load_catalog(root)
    (issue,) = exc.value.issues
    assert (issue.file, issue.line) == ("certificates.yaml", line + 2)  # the fee table
    assert "fuhyo" in issue.message and "手数料" in issue.message


def test_catalog_export_round_trip_of_certificates_yaml(tmp_path):
    from madoguchi.catalog.export import canonical
    from madoguchi.catalog.loader import export_catalog, load_catalog
    from madoguchi.certificates.catalog import parse

    src = load_catalog(_copy_demo(tmp_path))
    export_catalog(src, tmp_path / "out")
    again = load_catalog(tmp_path / "out")  # checked again, certificates.yaml included
    export_catalog(again, tmp_path / "out2")
    one = (tmp_path / "out" / "certificates.yaml").read_bytes()
    assert one == (tmp_path / "out2" / "certificates.yaml").read_bytes()
    assert canonical(again)["certificates.yaml"] == canonical(src)["certificates.yaml"]
    a, b = parse(src.path), parse(tmp_path / "out")
    assert (a.kinds, a.items, a.requesters, a.fuhyo_honseki) == (
        b.kinds,
        b.items,
        b.requesters,
        b.fuhyo_honseki,
    )
    assert (tmp_path / "out" / "certificates" / "templates.typ").is_file()


# ------------------------------------------------------------------ retention


def test_purge_handles_deferred_requests(city, clerk, settings, tmp_path):
    """Deferred requests are fee records: closed ones go with the fees' period (and their
    issued request after them); a waiting one, its visit and ticket stay."""
    from madoguchi.counter.models import Visit
    from madoguchi.operations import retention

    settings.MADOGUCHI_AUDIT_ARCHIVE_DIR = str(tmp_path / "archive")
    visit = Visit.objects.create(clerk=clerk, event_date=timezone.localdate())
    waiting = deferred.defer(_req(visit_id=visit.pk), clerk, paid_now=False)
    done = deferred.defer(_req(), clerk, paid_now=True)
    Person.objects.filter(household__household_no="100001").update(town="北二条西")
    issued = deferred.issue(done.pk, clerk)
    past = timezone.now() - timedelta(days=retention.LEGAL_MINIMUM_DAYS["fees"] + 30)
    DeferredRequest.objects.update(created_at=past)
    Visit.objects.filter(pk=visit.pk).update(created_at=past)
    from madoguchi.certificates.models import CertificateRequest

    CertificateRequest.objects.filter(pk=issued.pk).update(created_at=past)
    report = retention.purge()
    assert report.deleted["deferred_requests"] == 1
    assert list(DeferredRequest.objects.values_list("pk", flat=True)) == [waiting.pk]
    assert Visit.objects.filter(pk=visit.pk).exists()  # still needed by the waiting one
