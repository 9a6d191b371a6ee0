"""父母との続き柄 and the 国勢調査 year of the 出生届 (``rules.birth``), from the family."""

from datetime import date

from madoguchi.rules.birth import (
    census_year_birth,
    legitimate,
    parents_zokugara,
    prior_children,
)
from madoguchi.rules.family import kin_of
from madoguchi.rules.situation import validate


def _birth(persons, **kw):
    s = {
        "event": "birth",
        "event_date": "2027-06-12",
        "mother": "p2",
        "newborn": "p5",
        "birth_weight_g": 3000,
        "persons": [
            {"id": "p1", "relationship": "head", "birth_date": "1990-02-02", "sex": "male"},
            {"id": "p2", "relationship": "spouse", "birth_date": "1992-07-07", "sex": "female"},
            *persons,
        ],
    }
    s.update(kw)
    return validate(s)


def _child(pid, born, sex, **kw):
    return {"id": pid, "relationship": "child", "birth_date": born, "sex": sex, **kw}


def _zok(s, pid):
    return parents_zokugara(pid, kin_of(s), s["mother"], tuple(s["newborns"]))


def test_first_son_and_second_daughter_count_by_sex():
    s = _birth(
        [
            _child("p3", "2022-01-01", "female"),
            _child("p4", "2024-03-03", "male"),
            _child("p5", "2027-06-12", "female"),
        ]
    )
    assert _zok(s, "p5") == "二女"
    assert _zok(s, "p4") == "長男"
    assert legitimate("p5", kin_of(s), "p2")


def test_twins_follow_the_order_of_newborns():
    s = _birth(
        [
            _child("p3", "2024-03-03", "male"),
            _child("p5", "2027-06-12", "male"),
            _child("p6", "2027-06-12", "male"),
        ],
        newborns=["p5", "p6"],
        birth_weight_g={"p5": 2400, "p6": 2300},
    )
    assert [_zok(s, "p5"), _zok(s, "p6")] == ["二男", "三男"]
    swapped = dict(s, newborns=["p6", "p5"])
    assert _zok(swapped, "p6") == "二男"


def test_a_half_sibling_of_another_father_is_not_counted():
    s = _birth(
        [
            _child("p3", "2015-01-01", "male", parents=["p2", "f1"]),
            _child("p5", "2027-06-12", "male"),
            {"id": "f1", "outside": True, "sex": "male"},
        ]
    )
    assert _zok(s, "p5") == "長男"


def test_a_child_born_outside_marriage_counts_its_mothers_such_children():
    s = validate(
        {
            "event": "birth",
            "event_date": "2027-06-12",
            "mother": "p1",
            "newborn": "p3",
            "birth_weight_g": 3000,
            "persons": [
                {"id": "p1", "relationship": "head", "birth_date": "1995-02-02", "sex": "female"},
                _child("p2", "2023-01-01", "female"),
                _child("p3", "2027-06-12", "female", parents=["p1", "f1"]),
                {"id": "f1", "outside": True, "sex": "male"},
            ],
        }
    )
    assert not legitimate("p3", kin_of(s), "p1")
    assert _zok(s, "p3") == "二女"  # the mother's children born outside marriage


def test_the_register_count_and_the_parents_own_count():
    """The register knows one older daughter; the parents tell of a son who lives with
    his grandparents elsewhere and a daughter who died: the clerk's count replaces the
    register's, for each twin of the birth."""
    s = _birth(
        [
            _child("p3", "2022-01-01", "female"),
            _child("p5", "2027-06-12", "male"),
            _child("p6", "2027-06-12", "female"),
        ],
        newborns=["p5", "p6"],
        birth_weight_g={"p5": 2400, "p6": 2300},
    )
    kin, order = kin_of(s), ("p5", "p6")
    assert prior_children("p5", kin, "p2", order) == {"male": 0, "female": 1}
    assert [_zok(s, "p5"), _zok(s, "p6")] == ["長男", "二女"]
    told = {"male": 1, "female": 2}
    got = [parents_zokugara(p, kin, "p2", order, prior=told) for p in order]
    assert got == ["二男", "三女"]
    # a count lower than the register's (a child registered as theirs who is not) is
    # the clerk's too
    assert parents_zokugara("p6", kin, "p2", order, prior={"male": 0, "female": 0}) == "長女"


def test_census_years():
    assert census_year_birth(date(2025, 4, 1))
    assert census_year_birth(date(2026, 3, 31))
    assert not census_year_birth(date(2025, 3, 31))
    assert not census_year_birth(date(2027, 6, 12))
    assert census_year_birth(date(2030, 10, 1))
