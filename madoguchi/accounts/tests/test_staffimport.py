"""staff import: all-or-nothing, line errors, departments from the catalog, the policy."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from madoguchi.accounts.models import Staff

HEADER = "username,last_name,first_name,role,department,may_see_protected,expires,active,password\n"


def run(tmp_path, body, *args):
    f = tmp_path / "staff.csv"
    f.write_text(HEADER + body, encoding="utf-8")
    out = StringIO()
    call_command("staff", "import", str(f), "--json", *args, stdout=out, stderr=StringIO())
    return json.loads(out.getvalue())


@pytest.mark.django_db
def test_create_update_deactivate(tmp_path):
    r = run(
        tmp_path,
        "sato,佐藤,一,clerk,citizen,0,,1,Sakura-Namiki-2027\n"
        "suzuki,鈴木,二,department,child,1,2027-03-31,1,\n",
    )
    assert r == {"status": "applied", "created": 2, "updated": 0, "deactivated": 0, "unchanged": 0}
    sato, suzuki = Staff.objects.get(username="sato"), Staff.objects.get(username="suzuki")
    assert sato.check_password("Sakura-Namiki-2027") and sato.must_change_password
    assert not suzuki.has_usable_password()  # directory sign-on only
    assert suzuki.may_see_protected and str(suzuki.account_expires) == "2027-03-31"
    r = run(
        tmp_path,
        "sato,佐藤,一,manager,citizen,1,,1,\nsuzuki,鈴木,二,department,child,1,2027-03-31,0,\n",
    )
    assert (r["updated"], r["deactivated"]) == (1, 1)
    sato.refresh_from_db()
    suzuki.refresh_from_db()
    assert sato.role == "manager" and sato.may_see_protected
    assert sato.check_password("Sakura-Namiki-2027")  # empty password column: unchanged
    assert not suzuki.is_active
    r = run(tmp_path, "sato,佐藤,一,manager,citizen,1,,1,\n")
    assert r["unchanged"] == 1


@pytest.mark.django_db
def test_one_bad_line_rejects_the_file_and_names_each_error(tmp_path):
    body = (
        "ok1,山田,一,clerk,citizen,0,,1,\n"
        "bad1,山田,二,clerk,nosuchdept,0,,1,\n"
        "bad2,山田,三,chief,citizen,0,,1,\n"
        "bad3,山田,四,clerk,citizen,maybe,31/03/2027,1,\n"
        "bad4,山田,五,clerk,citizen,0,,1,kitami12\n"
        "bad5,山田,六,department,,0,,1,\n"
        "ok1,山田,七,clerk,citizen,0,,1,\n"
    )
    f = tmp_path / "staff.csv"
    f.write_text(HEADER + body, encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("staff", "import", str(f), "--json", stdout=out, stderr=err)
    assert exc.value.returncode == 2
    errors = {(e["line"], e["column"]) for e in json.loads(out.getvalue())["errors"]}
    assert errors == {
        (3, "department"),
        (4, "role"),
        (5, "may_see_protected"),
        (5, "expires"),
        (6, "password"),
        (7, "department"),
        (8, "username"),
    }
    assert "line 3: department: 'nosuchdept' is not a department of the catalog" in err.getvalue()
    assert not Staff.objects.exists()  # nothing written, not even line 2


@pytest.mark.django_db
def test_dry_run_writes_nothing_and_unknown_columns_are_refused(tmp_path):
    r = run(tmp_path, "sato,佐藤,一,clerk,citizen,0,,1,\n", "--dry-run")
    assert r["status"] == "dry-run" and r["created"] == 1
    assert not Staff.objects.exists()
    f = tmp_path / "x.csv"
    f.write_text("username,role,shoe_size\nsato,clerk,27\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("staff", "import", str(f), stdout=StringIO(), stderr=StringIO())
