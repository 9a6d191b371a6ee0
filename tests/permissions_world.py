"""A small city for the permission tests: one ordinary household, one household with a
person under 支援措置, staff of every role, and visits and tasks held by different people.

Roles (the columns of docs/permissions.md):

=============  ==========  ==========  ==========================
role           Staff.role  department  may_see_protected
=============  ==========  ==========  ==========================
clerk          clerk       citizen     no
clerk_perm     clerk       citizen     yes
department     department  insurance   no
manager        manager     citizen     no
admin          admin       citizen     yes
=============  ==========  ==========  ==========================

Objects, per acting role:

* ``own``: a visit the role holds (a department: a task of its department), ordinary persons;
* ``other``: a visit held by another clerk (``clerk_b``) — a task of another department;
* ``protected``: a visit held by a permitted clerk that concerns a protected person (a
  task of the acting department on it); the register's protected person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

ROLES = {
    "clerk": {"role": "clerk", "department": "citizen", "may_see_protected": False},
    "clerk_perm": {"role": "clerk", "department": "citizen", "may_see_protected": True},
    "department": {"role": "department", "department": "insurance", "may_see_protected": False},
    "manager": {"role": "manager", "department": "citizen", "may_see_protected": False},
    "admin": {"role": "admin", "department": "citizen", "may_see_protected": True},
}

NORMAL = ("300001", "300002")  # household 310001
PROTECTED = "300011"  # household 310002, under 支援措置; 300012 lives with them
PROTECTED_HOUSEMATE = "300012"


@dataclass
class World:
    staff: dict = field(default_factory=dict)  # role → Staff
    clerk_b: object = None
    visits: dict = field(default_factory=dict)  # (role, kind) → visit id
    tasks: dict = field(default_factory=dict)  # (role, kind) → task id
    tickets: dict = field(default_factory=dict)  # role → ticket id

    def visit(self, role: str, kind: str) -> int:
        return self.visits[(role, kind)]

    def task(self, role: str, kind: str) -> int:
        return self.tasks[(role, kind)]


def _person(hh, atena_no, name, kana, birth, rel, order, **kw):
    from madoguchi.register.models import Person

    return Person.objects.create(
        household=hh,
        atena_no=atena_no,
        name=name,
        name_kana=kana,
        birth_date=birth,
        sex="1",
        relationship=rel,
        household_order=order,
        prefecture="北海道",
        city="北見市",
        town="北四条東",
        banchi="1番地",
        postal_code="0900024",
        **kw,
    )


def _visit(clerk, persons, ticket=None):
    from madoguchi.counter.models import Visit, VisitEvent, VisitPerson

    visit = Visit.objects.create(
        clerk=clerk, event_date=date(2027, 4, 1), state={}, step="interview", ticket=ticket
    )
    VisitEvent.objects.create(visit=visit, event="move_within", order=0)
    for i, p in enumerate(persons, start=1):
        VisitPerson.objects.create(
            visit=visit,
            pid=f"p{i}",
            atena_no=p.atena_no,
            source="register",
            order=i - 1,
            data={
                "id": f"p{i}",
                "relationship": "head" if i == 1 else "spouse",
                "birth_date": p.birth_date.isoformat(),
                "sex": "male",
                "flags": [],
                "register": {"name": p.name, "kana": p.name_kana, "address": p.address},
            },
        )
    return visit


def _task(visit, department, procedure_id):
    from madoguchi.tasks.models import Task

    # signed: the department can open the signed forms of its procedure again
    persons = [{**vp.data, "moving": True} for vp in visit.persons.all()]
    situation = {"event": "move_within", "event_date": "2027-04-01", "persons": persons}
    proc = {"id": procedure_id, "name": procedure_id, "department": department}
    visit.state = {**visit.state, "signed_situations": [situation]}
    visit.result = {"procedures": [{**proc, "persons": ["p1"], "forms": ["juminido"]}]}
    visit.save(update_fields=["state", "result"])
    return Task.objects.create(
        visit=visit, procedure_id=procedure_id, name=procedure_id, department=department
    )


def build() -> World:
    from madoguchi.accounts.models import Staff
    from madoguchi.counter.services import issue_ticket
    from madoguchi.register.models import Household

    w = World()
    for name, spec in ROLES.items():
        w.staff[name] = Staff.objects.create_user(
            username=f"u_{name}", password="pw-Test-12345", **spec
        )
    w.clerk_b = Staff.objects.create_user(
        username="u_clerk_b", password="pw-Test-12345", role="clerk", department="citizen"
    )
    hh = Household.objects.create(household_no="310001")
    a = _person(hh, NORMAL[0], "北見　太郎", "キタミ　タロウ", date(1985, 6, 1), "世帯主", 0)
    b = _person(hh, NORMAL[1], "北見　花子", "キタミ　ハナコ", date(1987, 9, 15), "妻", 1)
    hp = Household.objects.create(household_no="310002")
    p = _person(
        hp,
        PROTECTED,
        "保護　陽子",
        "ホゴ　ヨウコ",
        date(1990, 2, 2),
        "世帯主",
        0,
        support_measure=True,
    )
    q = _person(hp, PROTECTED_HOUSEMATE, "保護　翼", "ホゴ　ツバサ", date(2019, 5, 5), "子", 1)
    other = _visit(w.clerk_b, [a, b])
    protected = _visit(w.staff["clerk_perm"], [p, q])
    for role, user in w.staff.items():
        ticket = issue_ticket("move_in")
        w.tickets[role] = ticket.pk
        own = _visit(user if role != "department" else w.clerk_b, [a, b], ticket=ticket)
        w.visits[(role, "own")] = own.pk
        w.visits[(role, "other")] = other.pk
        w.visits[(role, "protected")] = protected.pk
        w.tasks[(role, "own")] = _task(own, "insurance", "nhi.enroll").pk
    w_other_task = _task(other, "child", "child.allowance")
    w_protected_task = _task(protected, "insurance", "nhi.enroll")
    for role in w.staff:
        w.tasks[(role, "other")] = w_other_task.pk
        w.tasks[(role, "protected")] = w_protected_task.pk
    return w
