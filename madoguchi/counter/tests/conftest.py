"""Fixtures of the counter tests: a small household in the register."""

from datetime import date

import pytest


@pytest.fixture
def household(db):
    """A family of four living in the city, plus a single person in another household."""
    from madoguchi.register.models import Household, Person

    hh = Household.objects.create(household_no="100001")
    base = dict(
        household=hh,
        prefecture="北海道",
        city="北見市",
        town="北四条東",
        banchi="3丁目1番地",
        postal_code="0900024",
    )
    people = [
        (
            "200001",
            "北見　太郎",
            "キタミ　タロウ",
            date(1985, 6, 1),
            "1",
            "世帯主",
            {"pension_category": "2", "flags": ["my_number_card", "dog_owner"]},
        ),
        (
            "200002",
            "北見　花子",
            "キタミ　ハナコ",
            date(1987, 9, 15),
            "2",
            "妻",
            {"pension_category": "3", "flags": ["my_number_card"]},
        ),
        ("200003", "北見　一郎", "キタミ　イチロウ", date(2017, 6, 10), "1", "子", {}),
        ("200004", "北見　桜", "キタミ　サクラ", date(2023, 2, 20), "2", "子", {}),
    ]
    out = []
    for i, (atena, name, kana, birth, sex, rel, extra) in enumerate(people):
        out.append(
            Person.objects.create(
                atena_no=atena,
                name=name,
                name_kana=kana,
                birth_date=birth,
                sex=sex,
                relationship=rel,
                household_order=i,
                **base,
                **extra,
            )
        )
    other = Household.objects.create(household_no="100002")
    out.append(
        Person.objects.create(
            atena_no="200009",
            household=other,
            name="網走　次郎",
            name_kana="アバシリ　ジロウ",
            birth_date=date(1990, 1, 1),
            sex="1",
            relationship="世帯主",
            nhi=True,
            pension_category="1",
            prefecture="北海道",
            city="北見市",
            town="北四条東",
            banchi="1番地",
        )
    )
    return out


@pytest.fixture
def pending_family(db):
    """The demo move-in family of four as pending 転出証明書情報 (register generator)."""
    from madoguchi.register.generator import DEMO_MOVE_IN_FAMILY, generate_pending

    generate_pending(1, seed=1)
    return DEMO_MOVE_IN_FAMILY
