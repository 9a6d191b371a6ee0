"""Administrators manage staff accounts and unlock them; clerks cannot."""

import pytest
from django.utils import timezone


@pytest.mark.django_db
def test_admin_can_unlock_a_locked_account(client, staff_factory):
    admin = staff_factory("kanri", "admin", is_staff=True)
    locked = staff_factory("locked1", "clerk")
    locked.failed_logins = 5
    locked.locked_until = timezone.now() + timezone.timedelta(minutes=10)
    locked.save()
    client.force_login(admin)
    r = client.post(
        "/admin/accounts/staff/",
        {"action": "unlock", "_selected_action": [locked.pk]},
    )
    assert r.status_code == 302
    locked.refresh_from_db()
    assert locked.locked_until is None and locked.failed_logins == 0


@pytest.mark.django_db
def test_clerk_cannot_open_staff_admin(client, staff_factory):
    clerk = staff_factory("c1", "clerk", is_staff=True)
    client.force_login(clerk)
    r = client.get("/admin/accounts/staff/")
    assert r.status_code in (302, 403)


@pytest.mark.django_db
def test_staff_changes_are_audited_and_granting_protected_access_is_flagged(client, staff_factory):
    from madoguchi.audit.models import AuditRecord

    admin = staff_factory("kanri", "admin", is_staff=True)
    target = staff_factory("sato", "clerk", "citizen")
    client.force_login(admin)
    page = client.get(f"/admin/accounts/staff/{target.pk}/change/")
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "password"}
    data.update(
        role="manager",
        may_see_protected="on",
        date_joined_0=target.date_joined.strftime("%Y-%m-%d"),
        date_joined_1=target.date_joined.strftime("%H:%M:%S"),
        groups=[],
        user_permissions=[],
    )
    data.pop("date_joined", None)
    data.pop("last_login", None)
    data.pop("is_active", None)
    data["is_active"] = "on"
    data.pop("locked_until", None)
    data.pop("last_failed_login", None)
    r = client.post(f"/admin/accounts/staff/{target.pk}/change/", data)
    assert r.status_code == 302, r.context["adminform"].form.errors
    rec = AuditRecord.objects.filter(action="staff.change").get()
    assert rec.actor_username == "kanri" and rec.flagged
    assert "role: clerk→manager" in rec.query and "may_see_protected: False→True" in rec.query

    created = AuditRecord.objects.filter(action="staff.create").values_list("query", flat=True)
    assert any(q.startswith("sato role=clerk") for q in created)
    # A password change is recorded without the password.
    target.set_password("another-Pass-9876")
    target.save()
    rec = AuditRecord.objects.filter(action="staff.password").get()
    assert rec.query == "sato" and rec.actor_username == "system"
    # Saves that touch only bookkeeping (last login, failure counters) are not noise.
    before = AuditRecord.objects.count()
    target.failed_logins = 3
    target.save(update_fields=["failed_logins"])
    assert AuditRecord.objects.count() == before


@pytest.mark.django_db
def test_unlock_is_audited(client, staff_factory):
    from madoguchi.audit.models import AuditRecord

    admin = staff_factory("kanri", "admin", is_staff=True)
    locked = staff_factory("locked1", "clerk")
    client.force_login(admin)
    client.post("/admin/accounts/staff/", {"action": "unlock", "_selected_action": [locked.pk]})
    assert AuditRecord.objects.filter(action="staff.unlock", query="locked1").exists()
