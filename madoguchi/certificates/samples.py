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
    prot_hh = Household.objects.create(household_no="100005")
    people["300001"] = Person.objects.create(
        atena_no="300001",
        household=prot_hh,
        name="守山　静香",
        name_kana="モリヤマ　シズカ",
        birth_date=date(1990, 3, 3),
        sex="2",
        relationship="世帯主",
        prefecture="北海道",
        city="見本市",
        town="秘密町",
        banchi="9番地",
        support_measure=True,
    )
    gone_hh = Household.objects.create(household_no="100009")
    people["400001"] = Person.objects.create(
        atena_no="400001",
        household=gone_hh,
        name="去田　次郎",
        name_kana="サリタ　ジロウ",
        birth_date=date(1970, 1, 1),
        sex="1",
        relationship="世帯主",
        status="2",
        removed_on=date(2025, 3, 31),
        removal_reason="転出",
        moved_out_to="東京都千代田区千代田1番1号",
        prefecture="北海道",
        city="見本市",
        town="北一条",
        banchi="1番地",
    )
    SealRegistration.objects.create(
        registration_no="00000001",
        atena_no="200001",
        card_no="S0000001",
        impression=impression_svg("髙橋"),
        impression_format="svg",
        source="demo",
    )
    return people
