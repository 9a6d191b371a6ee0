"""On a move-in ticket the pending move-ins (転出証明書情報) rank first in the search;
everywhere else the usual order (residents, pending, removed) stays."""

from datetime import date

from madoguchi.register import search as svc
from madoguchi.register.tests.test_search import make_person


def _world():
    resident = make_person("高橋\u3000一郎", "タカハシ\u3000イチロウ", date(1993, 1, 1))
    moved = make_person("高橋\u3000二郎", "タカハシ\u3000ジロウ", date(1990, 1, 1), status="2")
    pending = make_person(
        "高橋\u3000陽", "タカハシ\u3000ヨウ", date(2012, 5, 1), status="P", atena_no="P0000000099"
    )
    return resident, moved, pending


def order(result):
    return [r.person.atena_no if r.person else "masked" for r in result.rows]


def test_pending_first_only_when_asked(db, clerk):
    resident, moved, pending = _world()
    usual = svc.search("高橋", clerk)
    assert order(usual) == [resident.atena_no, pending.atena_no, moved.atena_no]
    first = svc.search("高橋", clerk, pending_first=True)
    assert order(first) == [pending.atena_no, resident.atena_no, moved.atena_no]
    # the kana field and a birth date give the same ranking
    assert order(svc.search("たかはし", clerk, pending_first=True))[0] == pending.atena_no


def test_pending_kept_when_residents_fill_the_limit(db, clerk):
    """Twenty residents share the name: without the pending branch they would push the
    moving-in family out of a capped result."""
    for i in range(25):
        make_person(f"高橋\u3000{i:02d}", "タカハシ", date(1980, 1, 1 + i))
    _resident, _moved, pending = _world()
    usual = svc.search("高橋", clerk, limit=20)
    assert usual.capped and pending.atena_no not in order(usual)
    first = svc.search("高橋", clerk, limit=20, pending_first=True)
    assert first.capped and len(first.rows) == 20
    assert order(first)[0] == pending.atena_no


def test_masked_pending_row_is_not_promoted(db, clerk, admin_user):
    """A protected pending move-in shown masked keeps its usual place: a masked row at
    the top of a move-in search would tell that a protected person moves in."""
    resident, moved, _pending = _world()
    hidden = make_person(
        "高橋\u3000静",
        "タカハシ\u3000シズカ",
        date(1988, 8, 8),
        status="P",
        atena_no="P0000000199",
        support_measure=True,
    )
    usual = order(svc.search("高橋", clerk))
    first = order(svc.search("高橋", clerk, pending_first=True))
    assert first[0] == "P0000000099"
    # apart from the visible move-in put first, the order is the usual one
    assert [x for x in first if x != "P0000000099"] == [x for x in usual if x != "P0000000099"]
    assert first.index("masked") > first.index(resident.atena_no)
    # staff with the permission see the protected move-in, and first
    shown = order(svc.search("高橋", admin_user, pending_first=True))
    assert set(shown[:2]) == {hidden.atena_no, "P0000000099"}
    assert resident.atena_no in shown and moved.atena_no == shown[-1]
