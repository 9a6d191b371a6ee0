"""Register → situation person."""

from datetime import date

import pytest

from madoguchi.counter import prefill
from madoguchi.register.models import Person


@pytest.mark.parametrize(
    "zokugara, role",
    [
        ("世帯主", "head"),
        ("夫", "spouse"),
        ("妻（未届）", "spouse"),
        ("子", "child"),
        ("父", "parent"),
        ("母", "parent"),
        ("兄", "sibling"),
        ("妹", "sibling"),
        ("子の子", "relative"),
        ("妻の父", "relative"),
        ("縁故者", "relative"),
        ("同居人", "cohabitant"),
    ],
)
def test_relationship(zokugara, role):
    assert prefill.relationship_of(zokugara) == role


def test_unknown_relationship_is_an_error():
    with pytest.raises(ValueError):
        prefill.relationship_of("隣人")


def person(**kw):
    base = dict(
        atena_no="1",
        name="北見　太郎",
        birth_date=date(1985, 6, 1),
        sex="1",
        relationship="世帯主",
    )
    return Person(**{**base, **kw})


def test_insurance_pension_and_flags():
    d = date(2027, 4, 1)
    data, src = prefill.situation_person(
        person(
            nhi=True,
            pension_category="1",
            child_allowance_recipient=True,
            flags=["dog_owner", "nonsense"],
        ),
        d,
        "p1",
    )
    assert (data["health_insurance"], data["pension"]) == ("nhi", "1")
    assert data["flags"] == ["child_allowance_recipient", "dog_owner"]
    assert "国民健康保険" in src["health_insurance"]
    data, _ = prefill.situation_person(person(elderly_medical=True, adult_ward=True), d, "p2")
    assert data["health_insurance"] == "elderly" and data["flags"] == ["adult_ward"]
    assert data["pension"] == "none"
    # 75 on the birthday itself (not the day before)
    old = person(birth_date=date(1952, 4, 1))
    assert (
        prefill.situation_person(old, date(2027, 3, 31), "p3")[0]["health_insurance"] == "employee"
    )
    assert prefill.situation_person(old, date(2027, 4, 1), "p3")[0]["health_insurance"] == "elderly"


def test_register_block_keeps_the_name_as_registered():
    name = "\U00020bb7田\u3000花子"
    data, _ = prefill.situation_person(
        person(name=name, sex="2", katagaki="201号室"), date(2027, 1, 1), "p1"
    )
    assert data["register"]["name"] == name
    assert data["register"]["address_extra"] == "201号室"
    assert data["sex"] == "female"
