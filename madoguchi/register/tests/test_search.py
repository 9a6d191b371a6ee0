"""Register search: what the field recognises, statuses, the cap, 支援措置, the audit."""

from datetime import date

import pytest

from madoguchi.audit.models import AuditRecord
from madoguchi.core.text import search_keys
from madoguchi.register import search as svc
from madoguchi.register.models import Household, Person

_seq = iter(range(1000, 10_000_000))


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_person(name, kana="", birth=date(1993, 1, 1), *, household=None, **kw):
    """A person with the folded keys the importer computes."""
    atena = kw.pop("atena_no", None) or str(next(_seq))
    if household is None or isinstance(household, str):
        household, _ = Household.objects.get_or_create(household_no=household or f"H{atena}")
    kw.setdefault("relationship", "世帯主")
    kw.setdefault("sex", "1")
    return Person.objects.create(
        atena_no=atena,
        household=household,
        name=name,
        name_kana=kana,
        **search_keys(name, kana, kw.get("given_name", ""), kw.get("alt_name", "")),
        birth_date=birth,
        **kw,
    )


@pytest.fixture
def people(db):
    return {
        "takahashi_variant": make_person(
            "髙橋\u3000一郎", "タカハシ\u3000イチロウ", date(1993, 1, 1)
        ),
        "takahashi": make_person("高橋\u3000花子", "タカハシ\u3000ハナコ", date(1990, 4, 2)),
        "yamazaki": make_person("山﨑\u3000次郎", "ヤマザキ\u3000ジロウ", date(1975, 3, 3)),
        "yoshida": make_person("𠮷田\u3000三郎", "ヨシダ\u3000サブロウ", date(2019, 5, 1)),
        "tsuji_ivs": make_person("辻\U000e0102\u3000四郎", "ツジ\u3000シロウ", date(1960, 6, 6)),
        "moved": make_person(
            "高橋\u3000一郎", "タカハシ\u3000イチロウ", date(1993, 1, 1), status="2"
        ),
        "pending": make_person(
            "高橋\u3000陽",
            "タカハシ\u3000ヨウ",
            date(2012, 5, 1),
            status="P",
            atena_no="P0000000099",
        ),
        "kyoko": make_person("甲野\u3000京子", "コウノ\u3000キョウコ", date(1982, 7, 14)),
        "alt": make_person(
            "スミス\u3000ジョン",
            "スミス\u3000ジョン",
            date(1970, 1, 1),
            alt_name="佐藤\u3000ジョン",
            resident_kind="2",
        ),
    }


def found(result):
    return {r.person.atena_no for r in result.rows if r.person is not None}


def ids(*persons):
    return {p.atena_no for p in persons}


@pytest.mark.parametrize("typed", ["高橋", "髙橋", "高橋 一郎", "高橋　一", "髙橋一郎"])
def test_kanji_variants_find_each_other(people, clerk, typed):
    r = svc.search(typed, clerk)
    assert ids(people["takahashi_variant"], people["moved"]) <= found(r)
    assert people["yamazaki"].atena_no not in found(r)


@pytest.mark.parametrize(
    "typed,key",
    [
        ("山崎", "yamazaki"),
        ("山﨑", "yamazaki"),
        ("吉田", "yoshida"),
        ("𠮷田", "yoshida"),
        ("辻", "tsuji_ivs"),
        ("辻\U000e0102", "tsuji_ivs"),
        ("佐藤", "alt"),
        ("スミス", "alt"),
    ],
)
def test_variants_ivs_and_alt_names(people, clerk, typed, key):
    assert people[key].atena_no in found(svc.search(typed, clerk))


@pytest.mark.parametrize(
    "typed", ["たかはし", "タカハシ", "ﾀｶﾊｼ", "たかはし いちろう", "ﾀｶﾊｼ ｲﾁﾛｰ"]
)
def test_kana_in_any_script(people, clerk, typed):
    r = svc.search(typed, clerk)
    assert people["takahashi_variant"].atena_no in found(r)
    assert r.query.kana and not r.query.name


def test_small_kana_and_long_vowel_fold(people, clerk):
    assert people["kyoko"].atena_no in found(svc.search("こうの きようこ", clerk))
    yoko = make_person("洋\u3000子", "ヨーコ", date(1970, 2, 2))
    assert yoko.atena_no in found(svc.search("ﾖｰｺ", clerk))
    assert yoko.atena_no in found(svc.search("よこ", clerk))
    assert people["kyoko"].atena_no not in found(svc.search("こうのきよこ", clerk))


@pytest.mark.parametrize(
    "typed", ["4050101", "19930101", "H5.1.1", "h5.1.1", "平成5年1月1日", "４０５０１０１"]
)
def test_birth_date_forms(people, clerk, typed):
    r = svc.search(typed, clerk)
    assert found(r) == ids(people["takahashi_variant"], people["moved"])


def test_reiwa_gannen(people, clerk):
    assert found(svc.search("R1.5.1", clerk)) == ids(people["yoshida"])
    assert found(svc.search("令和元年5月1日", clerk)) == ids(people["yoshida"])


def test_name_plus_date(people, clerk):
    r = svc.search("高橋 H5.1.1", clerk)
    assert found(r) == ids(people["takahashi_variant"], people["moved"])
    r = svc.search("たかはし 4050101", clerk)
    assert found(r) == ids(people["takahashi_variant"], people["moved"])
    assert r.query.birth_date == date(1993, 1, 1)
    assert found(svc.search("高橋 H2.4.2", clerk)) == ids(people["takahashi"])


def test_atena_no_exact(people, clerk):
    p = people["yamazaki"]
    assert found(svc.search(p.atena_no, clerk)) == {p.atena_no}
    assert found(svc.search(p.atena_no[:-1], clerk)) == set()
    assert found(svc.search("p0000000099", clerk)) == ids(people["pending"])


@pytest.mark.parametrize(
    "typed,fragment",
    [
        ("平成31年5月1日", "平成の期間"),
        ("令和元年4月30日", "令和の期間"),
        ("昭和64年1月8日", "昭和の期間"),
        ("H5.2.30", "存在しない"),
        ("", "入力"),
        ("高橋 1234 5678", "番号が2つ"),
    ],
)
def test_bad_input_is_a_clear_error(people, clerk, typed, fragment):
    r = svc.search(typed, clerk)
    assert fragment in r.error and not r.rows


def test_removed_and_pending_are_shown_and_marked(people, clerk):
    r = svc.search("高橋", clerk)
    by_no = {row.person.atena_no: row for row in r.rows}
    assert by_no[people["moved"].atena_no].status_class == "removed"
    assert by_no[people["pending"].atena_no].status_class == "pending"
    assert by_no[people["takahashi_variant"].atena_no].status_class == "resident"
    order = [row.status_class for row in r.rows]
    assert order.index("resident") < order.index("pending") < order.index("removed")


def test_cap_and_message(db, clerk):
    for i in range(7):
        make_person(f"田中\u3000{i}", "タナカ", date(1980, 1, 1 + i))
    r = svc.search("田中", clerk, limit=5)
    assert r.capped and len(r.rows) == 5 and "絞り込んで" in r.message
    r = svc.search("田中", clerk, limit=7)
    assert not r.capped and len(r.rows) == 7


def test_search_is_audited_with_returned_persons(people, clerk):
    before = AuditRecord.objects.count()
    r = svc.search("高橋 H5.1.1", clerk)
    rec = AuditRecord.objects.order_by("-seq").first()
    assert AuditRecord.objects.count() == before + 1
    assert rec.action == "register.search" and rec.actor_username == clerk.username
    assert rec.query == "高橋 H5.1.1"
    assert set(rec.person_ids) == found(r) and not rec.flagged


@pytest.fixture
def protected(db):
    return make_person("守田\u3000静", "モリタ\u3000シズカ", date(1988, 8, 8), support_measure=True)


def test_protected_person_masked_for_ordinary_clerk(protected, clerk):
    r = svc.search("守田", clerk)
    assert len(r.rows) == 1 and r.rows[0].masked and r.rows[0].person is None
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.flagged and rec.person_ids == [protected.atena_no]
    with pytest.raises(svc.Protected):
        svc.read_person(protected.atena_no, clerk)
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "register.person.denied" and rec.flagged


def test_protected_person_shown_to_authorised_staff_and_flagged(protected, admin_user):
    r = svc.search("もりた", admin_user)
    assert r.rows[0].person == protected and r.rows[0].protected
    assert AuditRecord.objects.order_by("-seq").first().flagged
    assert svc.read_person(protected.atena_no, admin_user) == protected
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "register.person" and rec.flagged


def test_household_masks_protected_member(protected, clerk):
    hh = protected.household
    child = make_person(
        "守田\u3000光", "モリタ\u3000ヒカル", date(2015, 1, 1), household=hh, relationship="子"
    )
    view = svc.read_household(hh.household_no, clerk)
    assert [r.masked for r in view.rows] == [True, False]
    assert view.rows[1].person == child and view.flagged
    rec = AuditRecord.objects.order_by("-seq").first()
    assert rec.action == "register.household" and set(rec.person_ids) == {
        protected.atena_no,
        child.atena_no,
    }


def test_unknown_numbers(db, clerk):
    with pytest.raises(svc.NotFound):
        svc.read_person("0000", clerk)
    with pytest.raises(svc.NotFound):
        svc.read_household("0000", clerk)


# ------------------------------------------------------------------ legal order


def test_legal_order(db):
    hh = Household.objects.create(household_no="900")
    born = iter(range(1, 100))

    def m(rel, birth, atena):
        return make_person(
            f"員\u3000{rel}{next(born)}",
            birth=birth,
            household=hh,
            relationship=rel,
            atena_no=atena,
        )

    members = [
        m("同居人", date(1990, 1, 1), "1"),
        m("子の子", date(2020, 1, 1), "2"),
        m("母", date(1950, 1, 1), "3"),
        m("子", date(2000, 1, 1), "4"),
        m("縁故者", date(1960, 1, 1), "5"),
        m("妻", date(1972, 1, 1), "6"),
        m("子", date(1998, 1, 1), "7"),
        m("父", date(1948, 1, 1), "8"),
        m("子の妻", date(1997, 1, 1), "9"),
        m("弟", date(1975, 1, 1), "10"),
        m("兄", date(1968, 1, 1), "11"),
        m("父の母", date(1925, 1, 1), "12"),
        m("妻の父", date(1945, 1, 1), "13"),
        m("世帯主", date(1970, 1, 1), "14"),
        m("子の子", date(2019, 1, 1), "15"),
        m("同居人", date(1990, 1, 1), "16"),
        m("子", date(2000, 1, 1), "17"),
    ]
    order = [p.atena_no for p in svc.legal_order(members)]
    assert order == [
        "14",
        "6",
        "7",
        "4",
        "17",
        "9",
        "15",
        "2",
        "8",
        "3",
        "11",
        "10",
        "12",
        "13",
        "5",
        "1",
        "16",
    ]


def test_legal_order_read_household_uses_it(db, clerk):
    hh = Household.objects.create(household_no="901")
    kid = make_person("乙\u3000子", household=hh, relationship="子", atena_no="31")
    head = make_person("乙\u3000主", household=hh, relationship="世帯主", atena_no="32")
    view = svc.read_household("901", clerk)
    assert [r.person for r in view.rows] == [head, kid] and view.head == head


def test_birth_year_and_month_find_uncertain_dates(people, clerk):
    vague = make_person(
        "高橋\u3000昔",
        "タカハシ\u3000ムカシ",
        date(1920, 1, 1),
        birth_date_uncertain=True,
        birth_date_text="大正9年頃",
    )
    assert vague.atena_no in found(svc.search("高橋 T9", clerk))
    assert vague.atena_no in found(svc.search("大正9年", clerk))
    assert vague.atena_no not in found(svc.search("高橋 T10", clerk))
    r = svc.search("たかはし H5", clerk)
    assert found(r) == ids(people["takahashi_variant"], people["moved"])
    assert "平成5年1月1日〜平成5年12月31日" in r.interpretation[-1]
    assert found(svc.search("高橋 H5.1", clerk)) == ids(
        people["takahashi_variant"], people["moved"]
    )
    assert found(svc.search("高橋 H5.2", clerk)) == set()
    assert "平成の期間" in svc.search("高橋 H32", clerk).error
    assert "2つ" in svc.search("H5 H5.1.1", clerk).error


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("一郎", {"takahashi_variant", "moved"}),  # 名 only (同姓 household)
        ("一", {"takahashi_variant", "moved"}),
        ("イチロウ", {"takahashi_variant", "moved"}),
        ("いちろ", {"takahashi_variant", "moved"}),
        ("ｲﾁﾛｳ", {"takahashi_variant", "moved"}),
        ("髙 一", {"takahashi_variant", "moved"}),  # 氏 prefix + space + 名 prefix
        ("高橋 は", set()),  # kanji and kana mixed is a name: no kanji name starts so
        ("タカ ハ", {"takahashi"}),  # reading: 氏 prefix + 名 prefix
        ("たかはし　い", {"takahashi_variant", "moved"}),
        ("京子", {"kyoko"}),
        ("山 次", {"yamazaki"}),
        ("辻 四", {"tsuji_ivs"}),
        ("一郎 H5.1.1", {"takahashi_variant", "moved"}),  # 名 + birth date
        ("一郎 S45.1.1", set()),
    ],
)
def test_given_name_and_surname_plus_given(people, clerk, typed, expected):
    result = svc.search(typed, clerk)
    assert found(result) == {people[k].atena_no for k in expected}, result.interpretation


def test_given_name_matches_rank_after_full_name_matches(db, clerk):
    given_only = make_person("佐藤\u3000高志", "サトウ\u3000タカシ")
    surname = make_person("高田\u3000一", "タカダ\u3000ハジメ")
    rows = [r.person.atena_no for r in svc.search("高", clerk).rows]
    assert rows == [surname.atena_no, given_only.atena_no]
    assert not found(svc.search("佐 一", clerk))  # both prefixes must hold
    foreign = make_person("NGUYEN MINH DUC", "グエン　ミン　ドゥック", resident_kind="2")
    assert found(svc.search("MINH DUC", clerk)) == {foreign.atena_no}  # a 名 of two words
    assert found(svc.search("みん どぅっく", clerk)) == {foreign.atena_no}
    unsplit = make_person("田中一郎", "タナカイチロウ")  # registered without the space
    assert found(svc.search("田中 一", clerk)) == {unsplit.atena_no}
    assert found(svc.search("たなか いち", clerk)) == {unsplit.atena_no}


def test_given_keys_follow_the_name_and_reading():
    keys = search_keys("髙橋\u3000一郎", "たかはし いちろう")
    assert keys["given_key"] == "一郎" and keys["given_kana_key"] == "イチロウ"
    assert search_keys("SMITH", "スミス")["given_key"] == ""  # no space: split unknown
    assert search_keys("林　太郎", "", given_name="太朗")["given_key"] == "太朗"
