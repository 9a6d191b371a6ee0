"""What the visit screen proposes before the clerk saves (counter/suggest.py): shown
selected and marked, saved only by the clerk; and the contact phone typed as digits."""

import re

import pytest

from madoguchi.counter.capture import hyphenate_phone
from madoguchi.counter.models import Visit
from madoguchi.counter.tests.test_visit import Flow

pytestmark = pytest.mark.django_db


def _page(client, f) -> str:
    return client.get(f"/counter/visits/{f.id}/").content.decode()


def _checked(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="(p\d)" checked', page)


def test_marriage_proposes_the_couple_and_their_new_household(clerk_client, families):
    f = Flow(clerk_client, purpose="marriage")
    f.step("identify", atena_no="300013")  # 健太 shows his ID card
    son = f.pid("300013")
    f.step("persons", atena_no="300021")  # 彩, from her own household
    bride = f.pid("300021")
    f.step("events", events=["marriage", "move_within"])
    f.step("involved", pids=[son, bride])
    page = _page(clerk_client, f)
    assert _checked(page, "couple") == [son, bride]
    assert 'data-source-of="marriage.couple"' in page
    # nothing saved until the clerk saves the details
    visit = Visit.objects.get(pk=f.id)
    assert "couple" not in visit.events.get(event="marriage").details
    f.step(
        "event-details",
        event="marriage",
        details={"couple": [son, bride], "surname_changes": [bride]},
    )
    page = _page(clerk_client, f)
    assert 'id="households-source"' in page
    for pid in (son, bride):
        assert re.search(rf'name="after_{pid}".*?<option value="new1" selected', page, re.S)
    assert _checked(page, "heads") == [son]  # he keeps his surname: the 筆頭者
    assert not any(vp.data.get("household_after") for vp in visit.persons.all())
    # the clerk saves something else: no proposal any more, the choice stands
    f.step("households", after={son: "new1", bride: "new2"}, heads=[son, bride])
    page = _page(clerk_client, f)
    assert 'id="households-source"' not in page
    assert re.search(rf'name="after_{bride}".*?<option value="new2" selected', page, re.S)


def test_no_couple_proposed_for_a_married_person(clerk_client, families):
    f = Flow(clerk_client, purpose="marriage")
    f.step("identify", atena_no="300011")  # 正, married to 恵 in the register
    f.step("persons", atena_no="300021")
    f.step("events", events=["marriage"])
    page = _page(clerk_client, f)
    assert _checked(page, "couple") == []
    assert 'data-source-of="marriage.couple"' not in page


def test_death_proposes_the_other_member_of_a_household_of_two(clerk_client, couple):
    f = Flow(clerk_client, purpose="death")
    f.step("identify", atena_no="300012")  # 美咲 shows her ID card: she is alive
    f.step("events", events=["death"])
    page = _page(clerk_client, f)
    head = f.pid("300011")
    assert re.search(rf'<option value="{head}" selected>星野　健一', page)
    assert 'data-source-of="death.deceased"' in page
    visit = Visit.objects.get(pk=f.id)
    assert "deceased" not in visit.events.get(event="death").details


def test_death_proposes_no_one_in_a_larger_household(clerk_client, household):
    f = Flow(clerk_client, purpose="death")
    f.step("identify", atena_no="200002")
    f.step("events", events=["death"])
    page = _page(clerk_client, f)
    assert 'data-source-of="death.deceased"' not in page


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("09012345678", "090-1234-5678"),
        ("08011112222", "080-1111-2222"),
        ("0120123456", "0120-123-456"),
        ("0157123456", "0157123456"),  # a landline: its 市外局番 is 2–5 digits, kept
    ],
)
def test_phone_typed_as_digits_is_hyphenated(typed, stored):
    assert hyphenate_phone(typed) == stored


def test_captured_phone_is_stored_hyphenated(clerk_client, couple):
    f = Flow(clerk_client, purpose="death")
    f.step("identify", atena_no="300012")
    f.step("capture", values={"visit": {"phone": "09012345678"}})
    assert Visit.objects.get(pk=f.id).state["contact_phone"] == "090-1234-5678"
    f.step("capture", values={"visit": {"phone": "0157-12-3456"}})  # typed with hyphens
    assert Visit.objects.get(pk=f.id).state["contact_phone"] == "0157-12-3456"


def test_divorce_proposes_the_couple_the_register_names(clerk_client, household):
    """The head and the 妻 of the identified household, ticked and marked; saved only by
    the clerk, whose own choice then stands."""
    f = Flow(clerk_client, purpose="divorce")
    f.step("identify", atena_no="200002")
    head, wife, son = f.pid("200001"), f.pid("200002"), f.pid("200003")
    f.step("events", events=["divorce"])
    page = _page(clerk_client, f)
    assert _checked(page, "couple") == [head, wife]
    assert 'data-source-of="divorce.couple"' in page
    assert "couple" not in Visit.objects.get(pk=f.id).events.get(event="divorce").details
    # the banner that asks for the couple points to the proposal waiting to be saved
    assert 'id="determine-error"' in page and 'id="suggested-hint"' in page
    f.step("event-details", event="divorce", details={"couple": [head, son]})
    page = _page(clerk_client, f)
    assert _checked(page, "couple") == [head, son]
    assert 'data-source-of="divorce.couple"' not in page
    assert 'id="suggested-hint"' not in page


def test_divorce_proposes_no_couple_when_the_register_has_none(clerk_client, household):
    f = Flow(clerk_client, purpose="divorce")
    f.step("identify", atena_no="200009")  # lives alone
    f.step("events", events=["divorce"])
    page = _page(clerk_client, f)
    assert _checked(page, "couple") == [] and "divorce.couple" not in page
    assert 'id="suggested-hint"' not in page  # nothing proposed
