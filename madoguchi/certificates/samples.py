"""A sample city for certificates: a household of four, a protected person, a removed
person and a seal registration. Used by the certificate tests and bench/certificates.py;
part of the package, not of the tests, so the benchmark runs without the test extras."""

from datetime import date


def make_city() -> dict:
    """The test city: a household of four (a registered seal for the head), a protected
    person and a moved-out person; returns the persons by 宛名番号."""
    from madoguchi.certificates.models import SealRegistration
    from madoguchi.certificates.seals import impression_svg
    from madoguchi.register.models import Household, Person

    hh = Household.objects.create(household_no="100001")
    base = dict(
        household=hh,
        prefecture="北海道",
        city="見本市",
        town="北四条東",
        banchi="3丁目1番地",
        postal_code="0900024",
        became_resident_on=date(2015, 4, 1),
        address_set_on=date(2015, 4, 1),
        honseki="北海道見本市北四条東三丁目1番地",
        hittousha="髙橋　太郎",
    )
    people = {}
    rows = [
        ("200001", "髙橋　太郎", "タカハシ　タロウ", date(1985, 6, 1), "1", "世帯主", {}),
        ("200002", "髙橋　花子", "タカハシ　ハナコ", date(1987, 9, 15), "2", "妻", {}),
        ("200003", "髙橋　一郎", "タカハシ　イチロウ", date(2017, 6, 10), "1", "子", {}),
        ("200004", "髙橋　桜", "タカハシ　サクラ", date(2019, 2, 20), "2", "子", {}),
    ]
    for i, (atena, name, kana, birth, sex, rel, extra) in enumerate(rows):
        people[atena] = Person.objects.create(
            atena_no=atena,
            name=name,
            surname=name.split("\u3000")[0],
            name_kana=kana,
            birth_date=birth,
            sex=sex,
            relationship=rel,
            household_order=i,
            juminhyo_code=f"1234567890{i}",
            **base,
            **extra,
        )
    people["300001"] = single_household(
        "300001", "100005", "守山　静香", "モリヤマ　シズカ", date(1990, 3, 3), "2",
        town="秘密町", banchi="9番地", support_measure=True,
    )  # fmt: skip
    people["400001"] = single_household(
        "400001", "100009", "去田　次郎", "サリタ　ジロウ", date(1970, 1, 1), "1",
        town="北一条", banchi="1番地", status="2", removed_on=date(2025, 3, 31),
        removal_reason="転出", moved_out_to="東京都千代田区千代田1番1号",
    )  # fmt: skip
    SealRegistration.objects.create(
        registration_no="00000001",
        atena_no="200001",
        card_no="S0000001",
        impression=impression_svg("髙橋"),
        impression_format="svg",
        source="demo",
    )
    return people


def single_household(atena_no, household_no, name, kana, birth, sex, **extra):
    """One person heading a household of their own in the sample city (北海道見本市)."""
    from madoguchi.register.models import Household, Person

    return Person.objects.create(
        atena_no=atena_no,
        household=Household.objects.create(household_no=household_no),
        name=name,
        name_kana=kana,
        birth_date=birth,
        sex=sex,
        relationship="世帯主",
        **{"prefecture": "北海道", "city": "見本市", **extra},
    )
