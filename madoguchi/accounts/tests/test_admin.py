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
