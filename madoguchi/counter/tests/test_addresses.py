"""The new-address picker (counter/addresses.py, GET /counter/visits/<id>/addresses/):
the city's 町域 by postal code, kana, romaji or kanji (Japan Post data, offline), the
番地・方書 the register holds there, the visit's new 本籍 — and never the address of a
protected person (支援措置), nor any name."""

import pytest

from madoguchi.counter import addresses
from madoguchi.counter.tests.test_visit import Flow
from madoguchi.register.models import Person, ProtectionHold

pytestmark = pytest.mark.django_db
KITAMI = "012084"


@pytest.mark.parametrize("typed", ["0900025", "090-0025", "きたご", "キタゴ", "kitago", "北五条"])
def test_town_found_by_postal_code_kana_romaji_or_kanji(typed):
    found = [t.town for t in addresses.search_towns(KITAMI, typed)]
    assert found[0] == "北五条東", found


def test_town_reading_with_a_number_is_read_as_said():
    assert "キタヨンジョウヒガシ" in addresses.readings("キタ４ジョウヒガシ")
    assert [t.town for t in addresses.search_towns(KITAMI, "きたよん")][0] == "北四条東"


def test_banchi_key_and_split_address():
    assert addresses.banchi_key("3丁目1番地2号") == "3-1-2"
    got = addresses.split_address(KITAMI, "北海道北見市北五条東4丁目2番地")
    assert got["postal_code"] == "0900025" and got["banchi"] == "4丁目2番地"
    assert addresses.split_address(KITAMI, "東京都世田谷区太子堂1丁目1番地") is None


def _page(client, f, **params) -> str:
    r = client.get(f"/counter/visits/{f.id}/addresses/", params)
    assert r.status_code == 200
    return r.content.decode()


def test_banchi_of_the_register_without_names_and_never_a_protected_address(clerk_client, families):
    # families: 北見 正's household at 北四条東3丁目1番地, 美幌 彩 at 5丁目2番地 コーポ北見101
    f = Flow(clerk_client, purpose="marriage")
    page = _page(clerk_client, f, field="banchi", town="北四条東", q="3-1")
    assert "3丁目1番地" in page and "北見" not in page and "300011" not in page
    page = _page(clerk_client, f, field="banchi", town="北四条東", q="5")
    assert "コーポ北見101" in page
    # 彩 protected (a same-day hold, before the flag): her address is never offered
    ProtectionHold.objects.create(atena_no="300021", reason="DV")
    page = _page(clerk_client, f, field="banchi", town="北四条東", q="5")
    assert "コーポ北見101" not in page and "5丁目2番地" not in page
    Person.objects.filter(atena_no="300011").update(support_measure=True)
    assert "3丁目1番地" not in _page(clerk_client, f, field="banchi", town="北四条東", q="3")


def test_empty_picker_proposes_the_new_honseki_in_the_city(clerk_client, families):
    f = Flow(clerk_client, purpose="marriage")
    f.step("identify", atena_no="300013")
    son = f.pid("300013")
    assert "新本籍と同じ" not in _page(clerk_client, f, q="")
    f.step("new-name", pid=son, honseki="北海道北見市北五条東4丁目2番地", hittousha="北見　健太")
    page = _page(clerk_client, f, q="")
    assert "新本籍と同じ" in page and 'data-fill-banchi="4丁目2番地"' in page
    assert 'data-fill-town="北五条東"' in page and 'data-value="0900025"' in page


def test_address_saved_by_town_name(clerk_client, families):
    f = Flow(clerk_client, purpose="marriage")
    f.step("identify", atena_no="300013")
    f.step("events", events=["move_within"])
    f.step("address", postal_code="0900025", town="北五条東", banchi="4丁目2番地")
    from madoguchi.counter.models import Visit

    assert Visit.objects.get(pk=f.id).state["new_address"]["town"] == "北五条東"
    r = f.step("address", postal_code="0900025", town="北四条東", banchi="1", expect=400)
    assert "北四条東" in str(r)
