"""The password policy on every door, account expiry and the forced password change."""

import gzip
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from madoguchi.accounts.models import Staff
from madoguchi.demo.builder import DEMO_STAFF

STRONG = "Kawa-no-Nagare-88"


def common_long_password() -> str:
    path = Path(password_validation.__file__).parent / "common-passwords.txt.gz"
    with gzip.open(path, "rt") as f:
        return next(p.strip() for p in f if len(p.strip()) >= 12 and not p.strip().isdigit())


@pytest.mark.parametrize(
    "password, code",
    [
        ("kitami12", "password_too_short"),
        ("1234", "password_too_short"),
        ("Xmadoguchi1-2027", "password_has_username"),
        ("739184620571", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    user = Staff(username="madoguchi")
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password(password, user)
    assert code in [e.code for e in exc.value.error_list]


def test_common_password_is_refused():
    with pytest.raises(ValidationError) as exc:
        password_validation.validate_password(common_long_password(), Staff(username="x1"))
    assert "password_too_common" in [e.code for e in exc.value.error_list]


@pytest.mark.django_db
def test_no_path_stores_a_refused_password():
    with pytest.raises(ValidationError):
        Staff.objects.create_user(username="tanaka", password="kitami12")
    assert not Staff.objects.filter(username="tanaka").exists()


@pytest.mark.django_db
def test_recent_passwords_cannot_be_reused():
    user = Staff.objects.create_user(username="tanaka", password=STRONG)
    user.set_password("Yama-no-Ue-no-Kumo-5")
    user.save()
    user.set_password(STRONG)
    with pytest.raises(ValidationError) as exc:
        user.save()
    assert exc.value.error_list[0].code == "password_reused"
    assert user.password_history.count() == 2


@pytest.mark.django_db
def test_history_keeps_only_the_last_n(settings):
    settings.MADOGUCHI_PASSWORD_HISTORY = 2
    user = Staff.objects.create_user(username="tanaka", password=STRONG)
    for pw in ("Second-Password-22", "Third-Password-33"):
        user.set_password(pw)
        user.save()
    assert user.password_history.count() == 2
    user.set_password(STRONG)  # three changes ago: allowed again
    user.save()


@pytest.mark.django_db
def test_createsuperuser_noinput_applies_the_policy(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "1234")
    with pytest.raises(CommandError, match="12"):  # Staff.save validates; Django reports
        call_command("createsuperuser", "--noinput", username="root1", email="", stdout=StringIO())
    assert not Staff.objects.filter(username="root1").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", "--noinput", username="root1", email="", stdout=StringIO())
    assert Staff.objects.get(username="root1").check_password(STRONG)


@pytest.mark.parametrize("username, password", [(u, p) for u, p, *_ in DEMO_STAFF])
def test_demo_passwords_pass_the_policy(username, password):
    password_validation.validate_password(password, Staff(username=username))


@pytest.mark.django_db
def test_expired_account_cannot_log_in(client):
    user = Staff.objects.create_user(username="rinji", password=STRONG)
    user.account_expires = timezone.localdate() - timedelta(days=1)
    user.save()
    r = client.post("/accounts/login/", {"username": "rinji", "password": STRONG})
    assert r.status_code == 200 and "_auth_user_id" not in client.session
    user.account_expires = timezone.localdate()  # the last day still counts
    user.save()
    r = client.post("/accounts/login/", {"username": "rinji", "password": STRONG})
    assert r.status_code == 302


@pytest.mark.django_db
def test_forced_password_change(client):
    user = Staff.objects.create_user(username="shinnin", password=STRONG, must_change_password=True)
    client.post("/accounts/login/", {"username": "shinnin", "password": STRONG})
    r = client.get("/register/")
    assert r.status_code == 302 and r.url == "/accounts/password/"
    assert client.get("/api/register/search?q=a").status_code == 403
    r = client.post(
        "/accounts/password/",
        {"old_password": STRONG, "new_password1": "shinnin2027", "new_password2": "shinnin2027"},
    )
    assert r.status_code == 200  # refused: contains the username, and too short
    r = client.post(
        "/accounts/password/",
        {"old_password": STRONG, "new_password1": "Haru-Ichiban-2027", "new_password2": "Haru-Ichiban-2027"},
    )  # fmt: skip
    assert r.status_code == 302
    user.refresh_from_db()
    assert not user.must_change_password
    assert client.get("/register/").status_code == 200
