"""The 異動 record's rows for the newborns of twins and for a deceased from outside."""

from madoguchi.counter.ido import _concerned


def _person(pid, **kw):
    return {"id": pid, "relationship": "child", "birth_date": "2027-06-12", "sex": "male", **kw}


def test_one_row_per_newborn_of_twins():
    sit = {
        "event": "birth",
        "newborn": "p3",
        "newborns": ["p3", "p4"],
        "persons": [_person("p1", relationship="head"), _person("p3"), _person("p4")],
    }
    assert _concerned(sit) == ["p3", "p4"]
    one = {**sit, "newborns": None}
    assert _concerned(one) == ["p3"]


def test_a_deceased_from_outside_changes_no_record_here():
    members = [_person("p1", relationship="head")]
    outside = {"id": "x1", "outside": True, "birth_date": "1950-01-01", "sex": "male"}
    assert _concerned({"event": "death", "deceased": "x1", "persons": [*members, outside]}) == []
    assert _concerned({"event": "death", "deceased": "p1", "persons": members}) == ["p1"]
