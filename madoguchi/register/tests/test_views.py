"""Register pages and API: rendering, keyboard affordances, audit rows, 支援措置."""

import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from madoguchi.audit.models import AuditRecord
from madoguchi.register.models import Household
from madoguchi.register.tests.test_search import make_person


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def family(db):
    hh = Household.objects.create(household_no="5001")
    head = make_person(
        "髙橋\u3000一郎",
        "タカハシ\u3000イチロウ",
        date(1993, 1, 1),
        household=hh,
        atena_no="101",
        honseki="北海道北見市",
        nhi=True,
        nhi_since=date(2019, 5, 1),
    )
    kid = make_person(
        "髙橋\u3000陽",
        "タカハシ\u3000ヨウ",
        date(2019, 5, 1),
        household=hh,
        atena_no="102",
        relationship="子",
    )
    old = make_person(
        "髙橋\u3000昔",
        "タカハシ\u3000ムカシ",
        date(1920, 1, 1),
        household=hh,
        atena_no="103",
        relationship="父",
        status="3",
        birth_date_uncertain=True,
        birth_date_text="大正9年頃",
    )
    return hh, head, kid, old


def last_audit():
    return AuditRecord.objects.order_by("-seq").first()


def test_search_page_has_autofocused_field(clerk_client):
    html = clerk_client.get("/register/").content.decode()
    assert 'name="q"' in html and "autofocus" in html and 'data-key="s"' in html
    assert 'hx-post="/register/"' in html


def test_htmx_search_returns_partial_and_audits(clerk_client, family):
    _, head, kid, old = family
    r = clerk_client.post("/register/", {"q": "高橋"}, HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert r.status_code == 200 and "<html" not in html
    assert "髙橋\u3000一郎" in html  # exactly as stored, never normalised
    assert 'class="result-link name"' in html and 'data-key="1"' in html
    assert "死亡者" in html and "badge removed" in html
    assert "大正9年頃" in html
    rec = last_audit()
    assert rec.action == "register.search" and set(rec.person_ids) == {"101", "102", "103"}


def test_plain_post_renders_full_page(clerk_client, family):
    html = clerk_client.post("/register/", {"q": "H5.1.1"}).content.decode()
    assert "<html" in html and "髙橋\u3000一郎" in html and "平成5年1月1日" in html


def test_search_error_is_shown(clerk_client, db):
    html = clerk_client.post(
        "/register/", {"q": "平成31年5月1日"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "平成の期間" in html


def test_person_page_shows_fields_and_audits(clerk_client, family):
    _, head, *_ = family
    r = clerk_client.get("/register/person/101/")
    html = r.content.decode()
    assert r.status_code == 200
    assert '<span class="name" id="person-name">髙橋\u3000一郎</span>' in html
    assert "平成5年1月1日" in html and "北海道北見市" in html
    assert "あり（令和元年5月1日（2019年）取得）" in html
    assert 'href="/register/h/' in html and "/register/household/5001/" not in html
    rec = last_audit()
    # the page lists the household too: every member shown is named in the audit row
    assert rec.action == "register.person" and rec.person_ids == ["101", "102", "103"]
    assert rec.household_ids == ["5001"] and not rec.flagged


def test_person_page_lists_the_household_in_legal_order(clerk_client, family):
    hh = family[0]
    make_person("髙橋\u3000花子", birth=date(1994, 2, 2), household=hh, relationship="妻")
    html = clerk_client.get("/register/person/102/").content.decode()
    section = html[html.index('id="household-members"') :]
    order = ["髙橋\u3000一郎", "髙橋\u3000花子", "髙橋\u3000陽", "髙橋\u3000昔"]
    assert [section.index(n) for n in order] == sorted(section.index(n) for n in order)
    assert "平成6年2月2日（1994年）" in section and 'aria-current="true"' in section
    assert "大正9年頃（不詳" in section
    family[1].__class__.objects.filter(pk=family[1].pk).update(flags=["my_number_card"])
    html = clerk_client.get("/register/person/101/").content.decode()
    assert "マイナンバーカードを持っている" in html and "my_number_card" not in html


def test_person_page_masks_a_protected_member_and_flags(clerk_client, family):
    make_person("髙橋\u3000守", birth=date(1996, 3, 3), household=family[0], relationship="弟")
    family[0].members.filter(name="髙橋\u3000守").update(support_measure=True)
    html = clerk_client.get("/register/person/101/").content.decode()
    assert "支援措置対象者: 閲覧権限がありません" in html and "髙橋\u3000守" not in html
    assert last_audit().flagged


def test_uncertain_birth_date_keeps_wording(clerk_client, family):
    html = clerk_client.get("/register/person/103/").content.decode()
    assert "大正9年頃（不詳" in html and "死亡者" in html


def test_household_page_legal_order_and_audit(clerk_client, family):
    html = clerk_client.get("/register/household/5001/").content.decode()
    assert html.index("髙橋\u3000一郎") < html.index("髙橋\u3000陽") < html.index("髙橋\u3000昔")
    rec = last_audit()
    assert rec.action == "register.household" and set(rec.person_ids) == {"101", "102", "103"}


def test_household_page_query_count_is_constant(clerk_client, family):
    hh = family[0]
    clerk_client.get("/register/household/5001/")  # the first audit record creates the head
    with CaptureQueriesContext(connection) as small:
        clerk_client.get("/register/household/5001/")
    for i in range(5):
        make_person(f"髙橋\u3000子{i}", birth=date(2000, 1, 1 + i), household=hh, relationship="子")
    with CaptureQueriesContext(connection) as big:
        clerk_client.get("/register/household/5001/")
    assert len(big) == len(small)


def test_unknown_person_404(clerk_client, db):
    assert clerk_client.get("/register/person/999999/").status_code == 404
    assert clerk_client.get("/register/household/999999/").status_code == 404


@pytest.fixture
def protected(db):
    return make_person(
        "守田\u3000静",
        "モリタ\u3000シズカ",
        date(1988, 8, 8),
        support_measure=True,
        atena_no="201",
        household="6001",
    )


def test_protected_masked_in_search_page(clerk_client, protected):
    html = clerk_client.post("/register/", {"q": "守田"}, HTTP_HX_REQUEST="true").content.decode()
    assert "支援措置対象者: 閲覧権限がありません" in html
    assert "守田" not in html.replace("「守田」", "") and "201" not in html
    assert last_audit().flagged


def test_protected_person_page_403_and_flagged(clerk_client, protected):
    r = clerk_client.get("/register/person/201/")
    assert r.status_code == 403 and "守田" not in r.content.decode()
    rec = last_audit()
    assert rec.action == "register.person.denied" and rec.flagged and rec.person_ids == ["201"]


def test_protected_person_visible_to_authorised(admin_client, protected):
    r = admin_client.get("/register/person/201/")
    assert r.status_code == 200 and "守田\u3000静" in r.content.decode()
    assert "支援措置の対象者です" in r.content.decode()
    assert last_audit().flagged


# ------------------------------------------------------------------ API


def test_api_search(clerk_client, family):
    r = clerk_client.post(
        "/api/register/search",
        json.dumps({"q": "たかはし 4050101"}),
        content_type="application/json",
    )
    body = r.json()
    assert r.status_code == 200 and [p["atena_no"] for p in body["results"]] == ["101"]
    assert body["results"][0]["birth_date_wareki"] == "平成5年1月1日"
    assert not body["capped"] and body["interpretation"]
    assert last_audit().action == "register.search"


def test_api_search_bad_date_400_still_audited(clerk_client, db):
    r = clerk_client.post(
        "/api/register/search",
        json.dumps({"q": "令和元年4月30日"}),
        content_type="application/json",
    )
    assert r.status_code == 400 and "令和の期間" in r.json()["detail"]
    assert last_audit().query == "令和元年4月30日"


def test_api_person_and_household(clerk_client, family):
    p = clerk_client.get("/api/register/persons/101").json()
    assert p["name"] == "髙橋\u3000一郎" and p["birth_date"] == "1993-01-01"
    assert p["birth_date_wareki"] == "平成5年1月1日" and "name_key" not in p
    assert last_audit().action == "register.person"
    h = clerk_client.get("/api/register/households/5001").json()
    assert [m["atena_no"] for m in h["members"]] == ["101", "102", "103"]
    assert last_audit().action == "register.household"


def test_api_protected(clerk_client, protected):
    r = clerk_client.get("/api/register/persons/201")
    assert r.status_code == 403
    assert last_audit().action == "register.person.denied"
    body = clerk_client.post(
        "/api/register/search", json.dumps({"q": "もりた"}), content_type="application/json"
    ).json()
    assert body["results"] == [{"masked": True, "label": "支援措置対象者: 閲覧権限がありません"}]


def test_api_requires_login(client, db):
    assert client.get("/api/register/persons/101").status_code == 401
    assert client.post(
        "/api/register/search", "{}", content_type="application/json"
    ).status_code in (401, 403)


def test_search_query_count_does_not_grow_with_results(clerk_client, db):
    def queries_for(n):
        for i in range(n):
            make_person(f"数{n}x\u3000{i}", "カズ", date(1980, 1, 1 + i), household=f"Q{n}-{i}")
        with CaptureQueriesContext(connection) as ctx:
            r = clerk_client.post("/register/", {"q": f"数{n}x"}, HTTP_HX_REQUEST="true")
        assert r.content.decode().count('class="result-link name"') == n
        return len(ctx)

    clerk_client.post("/register/", {"q": "数"})  # the first audit record creates the head
    assert queries_for(2) == queries_for(9)


# ------------------------------------------------------------------ 在留カード等番号


@pytest.fixture
def foreign(db):
    return make_person(
        "グエン\u3000ヴァン\u3000アン",
        "グエン\u3000ヴァン\u3000アン",
        date(1990, 4, 1),
        atena_no="301",
        household="7001",
        resident_kind="2",
        nationality="VN",
        nationality_name="ベトナム",
        residence_card_no="AB12345678CD",
    )


def test_person_page_masks_the_residence_card_number(clerk_client, foreign):
    html = clerk_client.get("/register/person/301/").content.decode()
    assert "AB********CD" in html and "AB12345678CD" not in html
    assert 'id="card-no-show"' in html and 'form="card-no-form"' in html
    assert last_audit().action == "register.person"
    # the API's person masks it too
    p = clerk_client.get("/api/register/persons/301").json()
    assert p["residence_card_no"] == "AB********CD"


def test_the_full_number_is_shown_on_request_and_audited(clerk_client, foreign):
    before = AuditRecord.objects.count()
    r = clerk_client.post("/register/person/card-no/", {"atena_no": "301"})
    html = r.content.decode()
    assert r.status_code == 200 and "AB12345678CD" in html and 'id="card-no-show"' not in html
    actions = list(AuditRecord.objects.order_by("seq").values_list("action", "person_ids")[before:])
    assert actions == [("register.person.card_no", ["301"]), ("register.person", ["301"])]
    # GET is refused: showing the number is an action, never a link
    assert clerk_client.get("/register/person/card-no/").status_code == 405


def test_the_full_number_of_a_protected_person_is_refused(clerk_client, foreign):
    foreign.support_measure = True
    foreign.save()
    r = clerk_client.post("/register/person/card-no/", {"atena_no": "301"})
    assert r.status_code == 403 and "AB12345678CD" not in r.content.decode()
    rec = last_audit()
    assert rec.action == "register.person.denied" and rec.flagged


def test_a_japanese_person_page_has_no_card_number_button(clerk_client, family):
    html = clerk_client.get("/register/person/101/").content.decode()
    assert "card-no-form" not in html and "card-no-show" not in html
