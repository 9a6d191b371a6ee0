"""Certificates: rules of who may ask, 支援措置 refusals, fees, immutable records, void and
reissue, verification, the till, the catalog loader, the pages, the API and the CLI."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from madoguchi.audit.models import AuditRecord
from madoguchi.certificates import catalog as cert_catalog
from madoguchi.certificates import services as s
from madoguchi.certificates.models import (
    Certificate,
    CertificateAction,
    CertificateRequest,
    ImmutableError,
)
from madoguchi.certificates.tests.helpers import new_url


def _req(atena="200001", kind="juminhyo_all", copies=1, items=None, **kw):
    return s.RequestIn(subject_atena_no=atena, lines=[s.Line(kind, copies, items)], **kw)


def _nothing_issued():
    return not Certificate.objects.exists() and not CertificateRequest.objects.exists()


# ------------------------------------------------------------------ rules


def test_own_household_copy_lists_members_in_legal_order_with_fee(city, clerk):
    req = s.issue(_req(copies=2), clerk)
    (cert,) = req.certificates.all()
    assert cert.person_atena_nos == ["200001", "200002", "200003", "200004"]
    assert cert.items == ["head_relationship"]  # the kind's default
    assert (cert.fee_per_copy, cert.fee, req.fee_total) == (300, 600, 600)
    assert req.receipt_no.startswith("R")
    rec = AuditRecord.objects.filter(action="certificates.issue").get()
    assert set(rec.person_ids) == set(cert.person_atena_nos) and not rec.flagged


def test_some_members_only_those_asked(city, clerk):
    req = s.issue(
        s.RequestIn(
            subject_atena_no="200001", lines=[s.Line("juminhyo_some", 1, [], ["200003", "200001"])]
        ),
        clerk,
    )
    assert req.certificates.get().person_atena_nos == ["200001", "200003"]


@pytest.mark.parametrize("copies", [0, -1, 21, "x"])
def test_zero_or_absurd_copies_issue_nothing(city, clerk, copies):
    with pytest.raises(s.CertificateError) as exc:
        s.issue(_req(copies=copies), clerk)
    assert exc.value.field == "copies"
    assert _nothing_issued()


def test_unknown_person_and_removed_person(city, clerk):
    with pytest.raises(s.CertificateError, match="見つかりません"):
        s.issue(_req(atena="999999"), clerk)
    with pytest.raises(s.CertificateError, match="除票の写し"):
        s.issue(_req(atena="400001"), clerk)
    req = s.issue(_req(atena="400001", kind="joshu"), clerk)
    assert req.certificates.get().person_atena_nos == ["400001"]
    assert _nothing_issued() is False


def test_agent_needs_a_valid_proxy(city, clerk):
    today = date(2026, 11, 30)
    base = dict(requester_type="agent", requester_name="代理　人", requester_address="東京都")
    with pytest.raises(s.CertificateError) as exc:
        s.issue(_req(**base), clerk, today=today)
    assert exc.value.field == "proxy_dated_on"
    with pytest.raises(s.CertificateError, match="90日"):
        s.issue(_req(proxy_dated_on=today - timedelta(days=91), **base), clerk, today=today)
    with pytest.raises(s.CertificateError, match="未来"):
        s.issue(_req(proxy_dated_on=today + timedelta(days=1), **base), clerk, today=today)
    assert _nothing_issued()
    req = s.issue(_req(proxy_dated_on=today - timedelta(days=10), **base), clerk, today=today)
    assert req.requester_name == "代理　人"


def test_third_party_needs_purpose_and_may_not_get_honseki(city, clerk):
    base = dict(requester_type="third_party", requester_name="債権　者", requester_address="札幌市")
    with pytest.raises(s.CertificateError) as exc:
        s.issue(_req(kind="juminhyo_some", **base), clerk)
    assert exc.value.field == "purpose"
    with pytest.raises(s.CertificateError, match="本籍"):
        s.issue(
            _req(
                kind="juminhyo_some",
                items=["honseki"],
                purpose="債権回収",
                legal_basis="契約書",
                **base,
            ),
            clerk,
        )
    assert _nothing_issued()


def test_official_request_is_fee_exempt(city, clerk):
    req = s.issue(
        _req(
            requester_type="official",
            requester_name="北海道警察",
            purpose="捜査",
            legal_basis="刑事訴訟法第197条第2項",
        ),
        clerk,
    )
    cert = req.certificates.get()
    assert (cert.fee, cert.payment_method, req.receipt_no) == (0, "exempt", "")
    assert "12条の2" in cert.exempt_reason


def test_seal_certificate_needs_the_card_and_an_impression(city, clerk):
    with pytest.raises(s.CertificateError) as exc:
        s.issue(_req(kind="seal"), clerk)
    assert exc.value.field == "seal_card_no"
    with pytest.raises(s.CertificateError, match="一致しません"):
        s.issue(_req(kind="seal", seal_card_no="S9999999"), clerk)
    # an agent with a 委任状 but without the card: refused by the 印鑑条例
    with pytest.raises(s.CertificateError, match="委任状では交付できません"):
        s.issue(
            _req(
                kind="seal",
                requester_type="agent",
                requester_name="代理",
                requester_address="x",
                proxy_dated_on=timezone.localdate(),
            ),
            clerk,
        )
    # whoever brings the card may ask
    req = s.issue(
        _req(
            kind="seal",
            requester_type="agent",
            requester_name="代理",
            requester_address="x",
            proxy_dated_on=timezone.localdate(),
            seal_card_no="S0000001",
        ),
        clerk,
    )
    assert req.certificates.get().kind == "seal"
    # no impression registered: not offered
    with pytest.raises(s.CertificateError, match="印影"):
        s.issue(_req(atena="200002", kind="seal", seal_card_no="S0000001"), clerk)


def test_fee_table_missing_a_kind_is_rejected_with_its_line(tmp_path):
    src = Path(cert_catalog.__file__).parent.parent / "catalog" / "data" / "demo"
    (tmp_path / "certificates").mkdir()
    for f in (src / "certificates").iterdir():
        (tmp_path / "certificates" / f.name).write_bytes(f.read_bytes())
    text = (src / "certificates.yaml").read_text(encoding="utf-8")
    (tmp_path / "certificates.yaml").write_text(text.replace("  kisai_jiko: 300\n", ""), "utf-8")
    with pytest.raises(cert_catalog.CertificateCatalogError) as exc:
        cert_catalog.parse(tmp_path)
    assert any(
        "kisai_jiko" in e and "手数料" in e and e.startswith("certificates.yaml:")
        for e in exc.value.errors
    )


def test_my_number_can_never_be_an_item(tmp_path):
    src = Path(cert_catalog.__file__).parent.parent / "catalog" / "data" / "demo"
    (tmp_path / "certificates").mkdir()
    for f in (src / "certificates").iterdir():
        (tmp_path / "certificates" / f.name).write_bytes(f.read_bytes())
    text = (src / "certificates.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "items:                             #",
        "items:\n  - {id: my_number, name: 個人番号}\n  #",
        1,
    )
    (tmp_path / "certificates.yaml").write_text(text, "utf-8")
    with pytest.raises(cert_catalog.CertificateCatalogError, match="個人番号"):
        cert_catalog.parse(tmp_path)


def test_demo_catalog_is_valid():
    cat = cert_catalog.current()
    assert {
        "juminhyo_all",
        "juminhyo_some",
        "kisai_jiko",
        "joshu",
        "seal",
        "tenshutsu",
        "fuhyo",
    } <= {k.id for k in cat.offered()}
    # the 附票 only for a 本籍 in the city
    assert cat.keeps_fuhyo_of("北海道北見市北一条西1丁目1番地")
    assert not cat.keeps_fuhyo_of("東京都千代田区千代田1番地")


# ------------------------------------------------------------------ 支援措置


def test_protected_person_refused_for_staff_without_permission(city, clerk):
    with pytest.raises(s.Refused) as exc:
        s.issue(_req(atena="300001", requester_type="self"), clerk)
    assert "秘密町" not in exc.value.message and "守山" not in exc.value.message
    assert _nothing_issued()
    rec = AuditRecord.objects.filter(action="certificates.refused").get()
    assert rec.flagged and rec.person_ids == ["300001"]


def test_protected_removed_person_refused_before_any_other_message(city, clerk):
    from madoguchi.register.models import Person

    Person.objects.filter(atena_no="400001").update(support_measure=True)
    for kind in ("juminhyo_all", "joshu", "seal"):
        with pytest.raises(s.Refused):  # not "removed", not "no seal": nothing about them
            s.issue(_req(atena="400001", kind=kind, copies=0), clerk)


def test_protected_person_only_self_or_official(city, protected_clerk):
    agent = dict(
        requester_type="agent",
        requester_name="代理",
        requester_address="x",
        proxy_dated_on=timezone.localdate(),
    )
    with pytest.raises(s.Refused) as refused:
        s.issue(_req(atena="300001", **agent), protected_clerk)
    # the same words as any other refusal: no hint
    assert refused.value.message == str(s.REFUSED_MESSAGE)
    assert _nothing_issued()
    assert AuditRecord.objects.filter(action="certificates.refused", flagged=True).count() == 1
    req = s.issue(_req(atena="300001"), protected_clerk)  # the person themself
    assert req.certificates.get().person_atena_nos == ["300001"]
    assert AuditRecord.objects.filter(action="certificates.issue").get().flagged


def test_household_copy_with_a_protected_member_refused(city, protected_clerk):
    from madoguchi.register.models import Person

    Person.objects.filter(atena_no="200003").update(support_measure=True)
    with pytest.raises(s.Refused):
        s.issue(_req(atena="200001"), protected_clerk)  # 本人 asks for the whole household
    assert _nothing_issued()


# ------------------------------------------------------------------ records


def test_issued_record_is_immutable_void_is_a_new_record(city, clerk):
    cert = s.issue(_req(), clerk).certificates.get()
    cert.copies = 5
    with pytest.raises(ImmutableError):
        cert.save()
    with pytest.raises(ImmutableError):
        cert.delete()
    with pytest.raises(s.CertificateError):
        s.void(cert.pk, clerk, "  ")
    action = s.void(cert.pk, clerk, "記載誤り")
    assert action.refund == 300
    with pytest.raises(s.CertificateError, match="すでに"):
        s.void(cert.pk, clerk, "again")
    assert Certificate.objects.get(pk=cert.pk).copies == 1


def test_reissue_and_verify(city, clerk):
    cert = s.issue(_req(items=["head_relationship", "honseki"]), clerk).certificates.get()
    v = s.verify(cert.code.lower().replace("-", ""), clerk)
    assert v.found and v.authentic and v.status == "valid"
    new = s.reissue(cert.pk, clerk, "印字かすれ")
    assert new.issue_no != cert.issue_no and new.code != cert.code and new.reissue_of == cert
    old = s.verify(cert.code, clerk)
    assert old.status == "void" and old.reissued_as == new.issue_no
    assert s.verify(new.code, clerk).status == "valid"
    assert not s.verify("AAAA-BBBB-CCCC-DDDD", clerk).found
    # a record altered behind the product's back no longer matches its code
    Certificate.objects.filter(pk=new.pk).update(items=["honseki"])
    assert not s.verify(new.code, clerk).authentic
    s.record_reprint(new.pk, clerk, "紙詰まり")
    assert CertificateAction.objects.filter(certificate=new, action="reprint").count() == 1


def test_till_matches_issued_records_exactly(city, clerk):
    s.issue(_req(copies=2, counter_no="3"), clerk)
    s.issue(
        _req(kind="seal", seal_card_no="S0000001", counter_no="3", payment_method="cashless"), clerk
    )
    third = s.issue(_req(kind="juminhyo_some", counter_no="3"), clerk).certificates.get()
    s.issue(_req(counter_no="4"), clerk)  # another counter
    s.void(third.pk, clerk, "不要", counter_no="3")
    t = s.till(timezone.localdate(), "3")
    issued = Certificate.objects.filter(counter_no="3")
    assert t.total == sum(c.fee for c in issued) == 1200
    assert sum(r.amount for r in t.rows) == t.total
    assert (t.refunds, t.net, t.void_count) == (300, 900, 1)
    assert {(r.kind, r.method) for r in t.rows} == {
        ("juminhyo_all", "cash"),
        ("seal", "cashless"),
        ("juminhyo_some", "cash"),
    }
    csv = s.till_csv(t)
    assert csv.startswith("\ufeff".encode())
    text = csv.decode("utf-8-sig")
    assert text.count("\r\n交付,") == 3 and "取消," in text and "差引,,,,,900" in text


def test_render_certificate_and_forms(city, clerk):
    from madoguchi.certificates import render

    req = s.issue(
        s.RequestIn(
            subject_atena_no="200001",
            lines=[s.Line("juminhyo_all", 2), s.Line("seal")],
            seal_card_no="S0000001",
        ),
        clerk,
    )
    pdf = render.render_certificates(list(req.certificates.all()))
    assert pdf.startswith(b"%PDF")
    import pypdfium2

    doc = pypdfium2.PdfDocument(pdf)
    assert len(doc) == 3  # two copies of the household copy, one seal certificate
    text = doc[0].get_textpage().get_text_range()
    assert "票の写し" in text and "北見市長" in text and req.certificates.first().issue_no in text
    assert "1 / 1" in text
    subject = city["200001"]
    assert render.render_request_form(req, render.lines_of_request(req), subject).startswith(
        b"%PDF"
    )
    assert render.render_receipt(req, subject).startswith(b"%PDF")
    assert render.render_till(s.till(timezone.localdate())).startswith(b"%PDF")


# ------------------------------------------------------------------ pages, API, CLI


def test_request_page_flow(city, clerk_client):
    url = new_url(clerk_client, "200001")
    r = clerk_client.get(url)
    assert r.status_code == 200 and "髙橋　太郎" in r.content.decode()
    form = {
        "copies_juminhyo_all": "1",
        "items": ["head_relationship"],
        "requester_type": "self",
        "id_document": "my_number_card",
        "payment_method": "cash",
    }
    r = clerk_client.post(url, {**form, "action": "form"})
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert _nothing_issued()
    r = clerk_client.post(url, {**form, "action": "issue"})
    assert r.status_code == 302
    req = CertificateRequest.objects.get()
    r = clerk_client.get(r["Location"])
    assert req.certificates.get().issue_no in r.content.decode()
    for doc in ("certificates", "form", "receipt"):
        r = clerk_client.get(f"/certificates/requests/{req.pk}/{doc}.pdf")
        assert r.status_code == 200 and r.content.startswith(b"%PDF"), doc
    r = clerk_client.post(url, {**form, "copies_juminhyo_all": "0", "action": "issue"})
    assert r.status_code == 400 and "種類を選んで" in r.content.decode()


def test_protected_pages_refused_without_hint(city, clerk_client, protected_clerk):
    r = clerk_client.get(new_url(clerk_client, "300001"))
    body = r.content.decode()
    assert r.status_code == 403 and "守山" not in body and "秘密町" not in body
    req = s.issue(_req(atena="300001"), protected_clerk)
    cert = req.certificates.get()
    for url in (
        f"/certificates/requests/{req.pk}/",
        f"/certificates/requests/{req.pk}/certificates.pdf",
        f"/certificates/c/{cert.pk}.pdf",
    ):
        r = clerk_client.get(url)
        assert r.status_code == 403 and "守山" not in r.content.decode(), url
    r = clerk_client.post(f"/certificates/c/{cert.pk}/void/", {"reason": "x"})
    assert r.status_code == 403 and not CertificateAction.objects.exists()
    r = clerk_client.post("/certificates/verify/", {"code": cert.code})
    assert "守山" not in r.content.decode()


def test_department_staff_cannot_use_certificates(city, client, staff_factory):
    client.force_login(staff_factory("dept", "department", "child"))
    for url in (
        "/certificates/",
        new_url(client, "200001"),
        "/certificates/till/",
        "/certificates/verify/",
        "/certificates/seals/",
        "/certificates/till.csv",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/certificates/kinds").status_code == 401


def test_till_pages(city, clerk, clerk_client):
    s.issue(_req(counter_no="1"), clerk)
    r = clerk_client.get("/certificates/till/?counter=1")
    assert r.status_code == 200 and 'id="till-total">300<' in r.content.decode()
    r = clerk_client.get("/certificates/till.csv?counter=1")
    assert (
        r.content.startswith("\ufeff".encode()) and "住民票の写し（世帯全員）" in r.content.decode()
    )
    assert clerk_client.get("/certificates/till.pdf?counter=1").content.startswith(b"%PDF")


def test_api_flow(city, clerk_client):
    body = {"subject_atena_no": "200001", "lines": [{"kind": "juminhyo_all", "copies": 2}]}
    r = clerk_client.post(
        "/api/certificates/quote", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["total"] == 600 and _nothing_issued()
    r = clerk_client.post(
        "/api/certificates/requests", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 200
    cert = r.json()["certificates"][0]
    assert clerk_client.get(f"/api/certificates/verify/{cert['code']}").json()["status"] == "valid"
    r = clerk_client.post(
        f"/api/certificates/certificates/{cert['id']}/reissue",
        json.dumps({"reason": "汚損"}),
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["reissue_of"] == cert["issue_no"]
    assert clerk_client.get(f"/api/certificates/verify/{cert['code']}").json()["status"] == "void"
    r = clerk_client.get("/api/certificates/till")
    assert r.json()["total"] == 1200 and r.json()["refunds"] == 600
    bad = {"subject_atena_no": "300001", "lines": [{"kind": "juminhyo_all"}]}
    r = clerk_client.post(
        "/api/certificates/requests", json.dumps(bad), content_type="application/json"
    )
    assert r.status_code == 403 and "守山" not in r.content.decode()
    bad = {"subject_atena_no": "200001", "lines": [{"kind": "juminhyo_all", "copies": 0}]}
    r = clerk_client.post(
        "/api/certificates/requests", json.dumps(bad), content_type="application/json"
    )
    assert r.status_code == 400 and "copies" in r.json()["detail"]


def test_cli_render_and_verify(city, clerk, protected_clerk, tmp_path, capsys):
    out = tmp_path / "c.pdf"
    call_command(
        "certificates",
        "render",
        "juminhyo_all",
        "200001",
        "--staff",
        clerk.username,
        "--items",
        "head_relationship,juminhyo_code",
        "--out",
        str(out),
    )
    assert out.read_bytes().startswith(b"%PDF")
    issue_no, code = capsys.readouterr().out.split("\t")[:2]
    call_command("certificates", "verify", code)
    assert capsys.readouterr().out.startswith("valid\t" + issue_no)
    assert (
        AuditRecord.objects.filter(action="certificates.issue").get().query.endswith("channel=cli")
    )
    with pytest.raises(CommandError) as exc:
        call_command(
            "certificates",
            "render",
            "juminhyo_all",
            "300001",
            "--staff",
            clerk.username,
            "--out",
            str(tmp_path / "x.pdf"),
        )
    assert exc.value.returncode == 2 and not (tmp_path / "x.pdf").exists()
    call_command(
        "certificates",
        "render",
        "juminhyo_all",
        "300001",
        "--staff",
        protected_clerk.username,
        "--out",
        str(tmp_path / "y.pdf"),
    )
    assert (tmp_path / "y.pdf").exists()


def test_seal_import_through_a_mapping(city, tmp_path, clerk):
    from madoguchi.certificates import seals
    from madoguchi.certificates.models import SealRegistration

    (tmp_path / "s2.svg").write_bytes(seals.impression_svg("髙橋"))
    (tmp_path / "map.yaml").write_text(
        "columns: {registration_no: 登録番号, atena_no: 宛名番号, status: 状態, impression: 印影, card_no: 登録証番号}\n"
        "status_codes: {'1': active, '9': abolished}\n",
        "utf-8",
    )
    (tmp_path / "seals.csv").write_text(
        "登録番号,宛名番号,状態,印影,登録証番号\n00000002,200002,1,s2.svg,S0000002\n", "utf-8-sig"
    )
    assert seals.import_seals(tmp_path / "seals.csv", tmp_path / "map.yaml") == 1
    assert SealRegistration.objects.get(registration_no="00000002").impression_format == "svg"
    s.issue(_req(atena="200002", kind="seal", seal_card_no="S0000002"), clerk)
    (tmp_path / "bad.csv").write_text(
        "登録番号,宛名番号,状態,印影,登録証番号\n00000003,777,1,nope.png,S3\n", "utf-8-sig"
    )
    with pytest.raises(seals.SealError) as exc:
        seals.import_seals(tmp_path / "bad.csv", tmp_path / "map.yaml")
    assert "2: 宛名番号" in exc.value.message and "nope.png" in exc.value.message
    assert not SealRegistration.objects.filter(registration_no="00000003").exists()


def test_protected_head_named_as_head_counts_as_printed(city, protected_clerk):
    from madoguchi.register.models import Person

    Person.objects.filter(atena_no="200001").update(support_measure=True)
    with pytest.raises(s.Refused):  # 世帯主・続柄 would print the protected head's name
        s.issue(
            _req(atena="200003", kind="juminhyo_some", items=["head_relationship"]), protected_clerk
        )
    req = s.issue(_req(atena="200003", kind="juminhyo_some", items=[]), protected_clerk)
    assert req.certificates.get().person_atena_nos == ["200003"]


def test_call_next_on_a_certificate_ticket_opens_the_request_flow(city, clerk_client):
    from madoguchi.counter import services as counter

    ticket = counter.issue_ticket("certificate")
    clerk_client.get("/counter/?group=certificate&counter_no=5")
    r = clerk_client.post("/counter/call-next/")
    assert r.status_code == 302 and r["Location"] == f"/certificates/?ticket={ticket.pk}"
    r = clerk_client.get(r["Location"])
    assert ticket.display_no in r.content.decode()
    assert "証明書の請求" in clerk_client.get("/counter/queue/panel/").content.decode()


def test_seal_registration_at_the_counter(city, clerk_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from madoguchi.certificates import seals
    from madoguchi.certificates.models import SealRegistration

    form = {"atena_no": "200002", "registration_no": "00000009", "card_no": "S0000009"}
    img = SimpleUploadedFile("seal.svg", seals.impression_svg("髙橋"), "image/svg+xml")
    r = clerk_client.post("/certificates/seals/", {**form, "impression": img})
    assert r.status_code == 302
    reg = SealRegistration.objects.get(registration_no="00000009")
    assert (reg.atena_no, reg.source, reg.impression_format) == ("200002", "counter", "svg")
    assert AuditRecord.objects.filter(action="certificates.seal.register").exists()
    bad = SimpleUploadedFile("seal.txt", b"not an image", "text/plain")
    r = clerk_client.post(
        "/certificates/seals/", {**form, "registration_no": "x", "impression": bad}
    )
    assert r.status_code == 200 and "PNG" in r.content.decode()
    # a protected person is registered by authorised staff only
    img = SimpleUploadedFile("seal.svg", seals.impression_svg("守山"), "image/svg+xml")
    r = clerk_client.post(
        "/certificates/seals/",
        {"atena_no": "300001", "registration_no": "7", "card_no": "S7", "impression": img},
    )
    assert (
        "守山" not in r.content.decode()
        and not SealRegistration.objects.filter(atena_no="300001").exists()
    )


def test_stats_for_managers(city, clerk, client, staff_factory):
    from madoguchi.certificates.stats import figures

    s.issue(_req(copies=2), clerk)
    cert = s.issue(_req(kind="seal", seal_card_no="S0000001"), clerk).certificates.get()
    s.void(cert.pk, clerk, "不要")
    f = figures(7)
    assert {r["kind"]: (r["count"], r["fees"]) for r in f["per_kind"]} == {
        "住民票の写し（世帯全員）": (1, 600),
        "印鑑登録証明書": (1, 300),
    }
    today = [d for d in f["per_day"] if d["day"] == timezone.localdate()][0]
    assert (today["issued"], today["fees"], today["refunds"], today["net"]) == (2, 900, 300, 600)
    assert sum(r["count"] for r in f["per_hour"]) == 2
    client.force_login(clerk)
    assert client.get("/certificates/stats/").status_code == 403
    client.force_login(staff_factory("boss", "manager", "citizen"))
    r = client.get("/certificates/stats/?days=3")
    assert r.status_code == 200 and "印鑑登録証明書" in r.content.decode()


def test_quote_is_audited(city, clerk_client):
    body = {"subject_atena_no": "200001", "lines": [{"kind": "juminhyo_all"}]}
    clerk_client.post("/api/certificates/quote", json.dumps(body), content_type="application/json")
    rec = AuditRecord.objects.filter(action="certificates.quote").get()
    assert set(rec.person_ids) == {"200001", "200002", "200003", "200004"}


def test_demo_seals_for_seal_registered_persons(db):
    from madoguchi.certificates import seals
    from madoguchi.certificates.models import SealRegistration
    from madoguchi.register.generator import generate_city
    from madoguchi.register.models import Person

    generate_city(persons=300, seed=7)
    expected = {
        p.atena_no
        for p in Person.objects.filter(status="1")
        if "seal_registered" in (p.flags or [])
    }
    assert expected and seals.generate_demo(seed=7) == len(expected)
    assert set(SealRegistration.objects.values_list("atena_no", flat=True)) == expected
    assert seals.generate_demo(seed=7) == 0  # idempotent


def test_cli_till_and_seal_import(city, clerk, tmp_path, capsys):
    from madoguchi.certificates import seals

    s.issue(_req(counter_no="7"), clerk)
    call_command(
        "certificates",
        "till",
        "--counter",
        "7",
        "--pdf",
        str(tmp_path / "t.pdf"),
        "--csv",
        str(tmp_path / "t.csv"),
    )
    assert "issued=1 total=300" in capsys.readouterr().out
    assert (tmp_path / "t.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "t.csv").read_bytes().startswith("\ufeff".encode())
    mapping = Path(seals.__file__).parent / "mappings" / "seals-sample.yaml"
    (tmp_path / "a.svg").write_bytes(seals.impression_svg("髙橋"))
    (tmp_path / "s.csv").write_text(
        "印鑑登録番号,宛名番号,登録状態,印影ファイル,印鑑登録証番号\n00000005,200003,1,a.svg,S5\n",
        "utf-8-sig",
    )
    call_command(
        "certificates",
        "seals",
        "import",
        str(tmp_path / "s.csv"),
        "--mapping",
        str(mapping),
        "--dry-run",
    )
    assert "checked 1 rows" in capsys.readouterr().out
    call_command(
        "certificates", "seals", "import", str(tmp_path / "s.csv"), "--mapping", str(mapping)
    )
    assert "imported 1 rows" in capsys.readouterr().out
    (tmp_path / "s.csv").write_text("印鑑登録番号,宛名番号\n1,2\n", "utf-8-sig")
    with pytest.raises(CommandError) as exc:
        call_command(
            "certificates", "seals", "import", str(tmp_path / "s.csv"), "--mapping", str(mapping)
        )
    assert exc.value.returncode == 2 and "登録状態" in str(exc.value)


def test_pages_in_english(city, clerk, clerk_client):
    from django.conf import settings
    from django.utils import translation

    req = s.issue(_req(), clerk)
    clerk_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        html = clerk_client.get(new_url(clerk_client, "200001")).content.decode()
        assert "Kinds and copies" in html and "Issue" in html and "髙橋　太郎" in html
        html = clerk_client.get(f"/certificates/requests/{req.pk}/").content.decode()
        assert "Issued certificates" in html and "Void and reissue" in html
        assert "Daily till report" in clerk_client.get("/certificates/till/").content.decode()
    finally:
        translation.activate("ja")
