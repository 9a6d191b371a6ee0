"""``madoguchi staff import FILE.csv``: create, update and deactivate staff in bulk.

Columns (header row, UTF-8 with or without BOM; order free, unknown columns refused):

    username, last_name, first_name, role, department, may_see_protected, expires,
    active, password, email

- ``role``: clerk | department | manager | admin.
- ``department``: a department id of the catalog in use (``citizen``, ``child`` …);
  required for the role ``department``.
- ``may_see_protected`` (支援措置 access), ``active``: 1/0, yes/no, true/false; ``active``
  0 deactivates (staff are never deleted: the audit trail keeps its actors).
- ``expires``: YYYY-MM-DD, the last day the account may log in; empty: no expiry.
- ``password``: optional. A new account with a password must change it at first login;
  without one it cannot log in with a password (directory sign-on only). An existing
  account's password is changed only when the column is filled. The policy applies.

Every line is checked before anything is written; one bad line rejects the file and
names each line and field (exit 2). Accounts not in the file are left as they are.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Role, Staff

COLUMNS = (
    "username",
    "last_name",
    "first_name",
    "role",
    "department",
    "may_see_protected",
    "expires",
    "active",
    "password",
    "email",
)
TRUE = {"1", "yes", "true", "y", "はい", "○"}
FALSE = {"0", "no", "false", "n", "いいえ", ""}


@dataclass
class LineError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.column}: {self.reason}"


@dataclass
class StaffImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deactivated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


class StaffImportRejected(Exception):
    def __init__(self, result: StaffImportResult):
        super().__init__("; ".join(str(e) for e in result.errors))
        self.result = result


def catalog_departments() -> set[str]:
    from madoguchi.catalog.loader import current_catalog

    return set(current_catalog().departments)


def _bool(value: str) -> bool | None:
    v = value.strip().lower()
    if v in TRUE:
        return True
    if v in FALSE:
        return False
    return None


def _read(path: Path) -> str:
    raw = path.read_bytes()
    for enc in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("the file is neither UTF-8 nor CP932")


def import_staff(path, *, dry_run: bool = False, departments: set[str] | None = None):
    """Apply the file, or raise :class:`StaffImportRejected` having written nothing."""
    result = StaffImportResult(dry_run=dry_run)
    errors = result.errors
    try:
        text = _read(Path(path))
    except (OSError, ValueError) as exc:
        errors.append(LineError(0, "(file)", str(exc)))
        raise StaffImportRejected(result) from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    unknown = [h for h in header if h not in COLUMNS]
    if "username" not in header:
        errors.append(LineError(1, "username", "the header has no username column"))
    if unknown:
        errors.append(
            LineError(1, ",".join(unknown), f"unknown columns; known: {', '.join(COLUMNS)}")
        )
    if errors:
        raise StaffImportRejected(result)
    reader.fieldnames = header
    depts = catalog_departments() if departments is None else departments
    roles = set(Role.values)
    plans = []
    seen: dict[str, int] = {}
    existing = {s.username: s for s in Staff.objects.all()}
    for line, row in enumerate(reader, start=2):
        row = {k: (v or "").strip() for k, v in row.items() if k}
        username = row.get("username", "")
        if not username:
            errors.append(LineError(line, "username", "empty"))
            continue
        if username in seen:
            errors.append(
                LineError(line, "username", f"{username} is also on line {seen[username]}")
            )
            continue
        seen[username] = line
        user = existing.get(username)
        new = user is None
        if new:
            user = Staff(username=username)
        changes = {}
        for col in ("last_name", "first_name", "email"):
            if col in row and row[col] != getattr(user, col):
                changes[col] = row[col]
        if "role" in row or new:
            role = row.get("role", "")
            if role not in roles:
                errors.append(
                    LineError(line, "role", f"{role!r} is not one of {', '.join(sorted(roles))}")
                )
            elif role != user.role or new:
                changes["role"] = role
        role = changes.get("role", user.role)
        if "department" in row:
            dept = row["department"]
            if dept and dept not in depts:
                errors.append(
                    LineError(
                        line,
                        "department",
                        f"{dept!r} is not a department of the catalog ({', '.join(sorted(depts))})",
                    )
                )
            elif dept != user.department:
                changes["department"] = dept
        if role == Role.DEPARTMENT and not changes.get("department", user.department):
            errors.append(LineError(line, "department", "required for the role department"))
        for col, attr in (("may_see_protected", "may_see_protected"), ("active", "is_active")):
            if col in row:
                value = _bool(row[col]) if row[col] or col != "active" else True
                if value is None:
                    errors.append(
                        LineError(line, col, f"{row[col]!r} is not 1/0, yes/no, true/false")
                    )
                elif value != getattr(user, attr):
                    changes[attr] = value
        if row.get("expires"):
            try:
                expires = date.fromisoformat(row["expires"])
            except ValueError:
                errors.append(LineError(line, "expires", f"{row['expires']!r} is not YYYY-MM-DD"))
            else:
                if expires != user.account_expires:
                    changes["account_expires"] = expires
        elif "expires" in row and user.account_expires is not None:
            changes["account_expires"] = None
        password = row.get("password", "")
        if password:
            probe = Staff(
                pk=user.pk,
                username=username,
                first_name=changes.get("first_name", user.first_name),
                last_name=changes.get("last_name", user.last_name),
                email=changes.get("email", user.email),
            )
            try:
                password_validation.validate_password(password, probe)
            except ValidationError as exc:
                errors.append(LineError(line, "password", " ".join(exc.messages)))
        plans.append((user, new, changes, password))
    if errors:
        raise StaffImportRejected(result)

    with transaction.atomic():
        for user, new, changes, password in plans:
            for attr, value in changes.items():
                setattr(user, attr, value)
            if password:
                user.set_password(password)
                user.must_change_password = True
            elif new:
                user.set_unusable_password()
            if new:
                result.created.append(user.username)
            elif changes.get("is_active") is False:
                result.deactivated.append(user.username)
            elif changes or password:
                result.updated.append(user.username)
            else:
                result.unchanged.append(user.username)
                continue
            user.is_staff = user.role == Role.ADMIN
            user.save()
        if dry_run:
            transaction.set_rollback(True)
    return result
