"""The demo municipality: database, catalog, synthetic city and staff, in one call."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.management import call_command
from django.db import transaction

DEMO_SEED = 20270401

# (username, password, role, department, display name, may see 支援措置 persons).
# The passwords pass the staff password policy (madoguchi.accounts.passwords).
DEMO_STAFF = [
    ("madoguchi", "Hanako-Counter-27", "clerk", "citizen", "窓口 花子", False),
    ("madoguchi2", "Jiro-Counter-27", "clerk", "citizen", "窓口 次郎", False),
    ("shimin", "Citizen-Desk-27", "department", "citizen", "市民課 担当", True),
    ("hoken", "Insurance-Desk-27", "department", "insurance", "保険医療課 担当", False),
    ("kaigo", "Longterm-Care-27", "department", "care", "介護保険課 担当", False),
    ("kosodate", "Child-Support-27", "department", "child", "子育て支援課 担当", False),
    ("gakko", "School-Board-27", "department", "education", "学校教育課 担当", False),
    ("kacho", "Section-Chief-27", "manager", "citizen", "市民課長", True),
    ("kanri", "System-Admin-27", "admin", "citizen", "システム管理者", True),
]


@dataclass
class DemoSummary:
    created_persons: int
    pending_households: int
    catalog_version: str
    staff: list[tuple[str, str, str, str]]
    history_tickets: int = 0


def create_staff() -> list[tuple[str, str, str, str]]:
    from madoguchi.accounts.models import Staff

    out = []
    for username, password, role, department, display, protected in DEMO_STAFF:
        user, created = Staff.objects.get_or_create(username=username)
        if created:
            last, _, first = display.partition(" ")
            user.last_name, user.first_name = last, first
            user.role, user.department, user.may_see_protected = role, department, protected
            user.is_staff = role == "admin"
            user.set_password(password)
            user.save()
        out.append((username, password, user.get_role_display(), department))
    return out


def build_demo(
    persons: int = 120_000, seed: int = DEMO_SEED, pending: int = 50, with_history: bool = True
):
    """Migrate, load the catalog, generate the city (once) and the staff. Idempotent."""
    from madoguchi.catalog.services import load_into_db
    from madoguchi.register.generator import generate_city, generate_pending
    from madoguchi.register.models import Person

    call_command("migrate", interactive=False, verbosity=0)
    catalog_version = load_into_db()
    created = 0
    pending_households = 0
    if not Person.objects.exists():
        with transaction.atomic():
            created = generate_city(persons=persons, seed=seed)
            pending_households = generate_pending(pending, seed=seed)
    from madoguchi.certificates.models import SealRegistration
    from madoguchi.certificates.seals import generate_demo

    if not SealRegistration.objects.exists():  # synthetic 印影 for seal_registered persons
        with transaction.atomic():
            generate_demo(seed=seed)
    staff = create_staff()
    history = 0
    if with_history:
        from madoguchi.counter.models import Ticket
        from madoguchi.demo.history import generate

        if not Ticket.objects.exists():  # a year of counter visits, once (analytics)
            history = generate()
    return DemoSummary(created, pending_households, str(catalog_version), staff, history)
