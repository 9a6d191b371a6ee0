"""国籍・地域 from the list: typed values of open visits and imported names mapped by the
data migrations, unknown ones kept and flagged; the picker's candidates."""

import importlib

import pytest
from django.apps import apps

from madoguchi.counter.nationality import MISMATCH, UNLISTED, listed


@pytest.mark.parametrize(
    ("code", "typed", "expected_code", "expected_name", "flag"),
    [
        ("VN", "ベトナム", "VN", "ベトナム", None),
        ("US", "アメリカ合衆国", "US", "米国", None),  # the list's name
        ("KR", "", "KR", "韓国", None),
        ("XX", "フィリピン共和国", "PH", "フィリピン", None),  # code unknown, name listed
        ("ZZ", "アトランティス", "ZZ", "アトランティス", UNLISTED),  # kept as typed, flagged
        ("VN", "中国", "VN", "中国", MISMATCH),
    ],
)
def test_typed_nationality_mapped_or_flagged(code, typed, expected_code, expected_name, flag):
    data = {"nationality": code, "register": {"name": "X", "nationality_name": typed}}
    out, changed = listed(data)
    assert out["nationality"] == expected_code
    assert out["register"].get("nationality_name", "") == expected_name
    assert (out.get("sources") or {}).get("nationality") == flag
    assert changed == (out != data)
    assert data["register"]["nationality_name"] == typed  # the input is not modified


def test_japanese_nationals_are_left_alone():
    data = {"nationality": "JP", "register": {}}
    assert listed(data) == (data, False)


MIGRATION = {
    "counter": "0004_nationality_from_the_list",
    "register": "0003_nationality_from_the_list",
}


def _migrate(app: str):
    module = importlib.import_module(f"madoguchi.{app}.migrations.{MIGRATION[app]}")
    module.forward(apps, None)


def test_the_counter_migration_maps_open_visits_only(db, clerk):
    from madoguchi.counter.models import Visit, VisitPerson

    def person(step, code, typed):
        v = Visit.objects.create(clerk=clerk, step=step, event_date="2027-04-01")
        return VisitPerson.objects.create(
            visit=v,
            pid="p1",
            source="paper",
            data={"nationality": code, "register": {"nationality_name": typed}},
        )

    open_one = person("interview", "US", "アメリカ合衆国")
    unknown = person("interview", "QQ", "どこか")
    signed = person("done", "US", "アメリカ合衆国")
    _migrate("counter")
    open_one.refresh_from_db(), unknown.refresh_from_db(), signed.refresh_from_db()
    assert open_one.data["register"]["nationality_name"] == "米国"
    assert (
        unknown.data["nationality"] == "QQ" and unknown.data["sources"]["nationality"] == UNLISTED
    )
    assert signed.data["register"]["nationality_name"] == "アメリカ合衆国"  # as printed and signed


def test_the_register_migration_maps_imported_names(db):
    from madoguchi.register.models import Household, Person

    hh = Household.objects.create(household_no="1")
    a, b = (
        Person.objects.create(
            atena_no=str(n), name=str(n), household=hh, birth_date="1990-01-01", sex="1",
            relationship="世帯主", resident_kind="2", nationality="XX", nationality_name=name,
        )
        for n, name in ((1, "ネパール"), (2, "不明国"))
    )  # fmt: skip
    _migrate("register")
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.nationality, b.nationality) == ("NP", "XX")
    assert b.nationality_name == "不明国"  # kept, and flagged at the counter


def test_an_unlisted_register_nationality_is_flagged_at_the_counter(clerk_client, household):
    from madoguchi.register.models import Person

    from .test_visit import Flow

    Person.objects.filter(atena_no="200001").update(
        resident_kind="2", nationality="XX", nationality_name="不明国"
    )
    f = Flow(clerk_client)
    f.step("identify", atena_no="200001")
    head = f.v["persons"][0]["data"]
    assert head["register"]["nationality_name"] == "不明国"
    page = clerk_client.get(f"/counter/visits/{f.id}/").content.decode()
    assert "国籍・地域が一覧にありません" in page and "要確認" in page


def test_the_picker_offers_candidates(clerk_client, household):
    from .test_visit import Flow

    f = Flow(clerk_client)
    html = clerk_client.get(f"/counter/visits/{f.id}/countries/", {"q": "べと"}).content.decode()
    assert 'data-code="VN"' in html and "ベトナム" in html
    html = clerk_client.get(f"/counter/visits/{f.id}/countries/", {"q": "kank"}).content.decode()
    assert html.index('data-code="KR"') >= 0
    html = clerk_client.get(f"/counter/visits/{f.id}/countries/", {"q": "qxqx"}).content.decode()
    assert "data-code" not in html and "一覧にありません" in html


def test_every_code_of_the_list_drives_the_rules_as_a_foreign_nationality():
    """The rules read the stored code (rules.yaml: nationality != JP): every entry of the
    list but 日本 — 朝鮮 XC and 無国籍 XS included — makes the 住居地の届出 apply."""
    import yaml

    from conftest import EXAMPLES_DIR
    from madoguchi.catalog.loader import demo_catalog
    from madoguchi.core import countries
    from madoguchi.rules import determine

    base = yaml.safe_load((EXAMPLES_DIR / "return_from_abroad.situation.yaml").read_text("utf-8"))
    cat = demo_catalog()
    for c in countries.countries():
        base["persons"][1]["nationality"] = c.code
        ids = {p["id"]: p["persons"] for p in determine(base, cat)["procedures"]}
        applies = ids.get("foreign_resident.address_notification") == ["p2"]
        assert applies == (c.code != "JP"), c
