"""The residents the counter tests find in the register, built in one place: the fixtures of
``conftest.py`` (``household``, ``families``, ``couple``) and the browser walks
(``tests/browser``) call these, so a household is written once."""

from datetime import date

# The street of the test households (北見市北四条東); each household has its own 番地.
KITAMI = dict(prefecture="北海道", city="北見市", town="北四条東", postal_code="0900024")


def make_household(household_no: str, members, **common) -> list:
    """A household of the register and its members, in order (the first is listed first).
    ``members``: (atena_no, name, name_kana, birth_date, sex, relationship, extra fields);
    ``common``: fields every member has (address, 本籍, insurance …)."""
    from madoguchi.register.models import Household, Person

    hh = Household.objects.create(household_no=household_no)
    return [
        Person.objects.create(
            atena_no=atena,
            household=hh,
            name=name,
            name_kana=kana,
            birth_date=birth,
            sex=sex,
            relationship=rel,
            household_order=i,
            **{**common, **extra},
        )
        for i, (atena, name, kana, birth, sex, rel, extra) in enumerate(members)
    ]


def family_of_four() -> list:
    """A family of four living in the city, plus a single person in another household."""
    family = make_household(
        "100001",
        [
            ("200001", "北見　太郎", "キタミ　タロウ", date(1985, 6, 1), "1", "世帯主",
             {"pension_category": "2", "flags": ["my_number_card", "dog_owner"]}),
            ("200002", "北見　花子", "キタミ　ハナコ", date(1987, 9, 15), "2", "妻",
             {"pension_category": "3", "flags": ["my_number_card"]}),
            ("200003", "北見　一郎", "キタミ　イチロウ", date(2017, 6, 10), "1", "子", {}),
            ("200004", "北見　桜", "キタミ　サクラ", date(2023, 2, 20), "2", "子", {}),
        ],
        **KITAMI,
        banchi="3丁目1番地",
    )  # fmt: skip
    single = make_household(
        "100002",
        [("200009", "網走　次郎", "アバシリ　ジロウ", date(1990, 1, 1), "1", "世帯主", {})],
        **{**KITAMI, "postal_code": ""},
        banchi="1番地",
        nhi=True,
        pension_category="1",
    )
    return family + single


def families() -> None:
    """The 北見 parents with their son 健太 (who moved in years ago: the register keeps his
    転入前住所), and 美幌 彩 living alone in another household of the city."""
    make_household(
        "300001",
        [
            ("300011", "北見　正", "キタミ　タダシ", date(1962, 4, 4), "1", "世帯主", {}),
            ("300012", "北見　恵", "キタミ　メグミ", date(1964, 8, 8), "2", "妻", {}),
            ("300013", "北見　健太", "キタミ　ケンタ", date(1996, 1, 20), "1", "子",
             {"former_address": "東京都世田谷区太子堂1丁目1番1号", "flags": ["my_number_card"]}),
        ],
        **KITAMI,
        banchi="3丁目1番地",
        honseki="北海道北見市北四条東3丁目1番地",
        hittousha="北見　正",
    )  # fmt: skip
    make_household(
        "300002",
        [("300021", "美幌　彩", "ビホロ　アヤ", date(1997, 6, 30), "2", "世帯主", {})],
        **KITAMI,
        banchi="5丁目2番地",
        katagaki="コーポ北見101",
        nhi=True,
        pension_category="1",
        honseki="北海道網走郡美幌町字美幌1番地",
        hittousha="美幌　誠",
    )


def couple() -> tuple:
    """The parents of the birth example (``birth_low_weight_nhi_mother``): (head, wife)."""
    head, wife = make_household(
        "300001",
        [
            ("300011", "星野　健一", "ホシノ　ケンイチ", date(1990, 2, 2), "1", "世帯主", {}),
            ("300012", "星野　美咲", "ホシノ　ミサキ", date(1992, 7, 7), "2", "妻", {}),
        ],
        **KITAMI,
        banchi="5丁目2番地",
        nhi=True,
        pension_category="1",
        honseki="北海道北見市北四条東5丁目2番地",
        hittousha="星野　健一",
    )
    return head, wife


def hoshino_resident() -> list:
    """A resident who shares the name of the pending move-in family (星野), alone in his
    household, with the folded search keys: the search on a move-in ticket ranks the
    family before him (counter/tests/test_safety.py, tests/browser/test_safety_flow.py)."""
    from madoguchi.core.text import search_keys

    name, kana = "星野\u3000一樹", "ホシノ\u3000カズキ"
    return make_household(
        "300001",
        [("300001", name, kana, date(1960, 1, 1), "1", "世帯主", search_keys(name, kana))],
        **{**KITAMI, "town": "北二条西"},
        banchi="1番地",
    )
