"""Bulk writers: rows inserted and updated without the ORM's per-row cost (COPY on
PostgreSQL, ``executemany`` elsewhere), and the index drop/rebuild of a first load."""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from madoguchi.register.models import Household, Person


def _row_plan(fields, now):
    """A function row dict -> list of column values for ``fields``."""
    plan = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            plan.append((f.attname, True, f.get_db_prep_value(now, connection)))
        elif f.get_internal_type() == "JSONField":
            plan.append((f.attname, "json", f.get_default()))
        else:
            plan.append((f.attname, False, None if f.primary_key else f.get_default()))

    def values(row: dict) -> list:
        out = []
        for name, kind, default in plan:
            if kind is True:
                out.append(default)
            elif kind == "json":
                out.append(json.dumps(row.get(name, default), ensure_ascii=False))
            else:
                out.append(row.get(name, default))
        return out

    return values


def insert_rows(model, rows: list[dict]) -> int:
    """Insert rows given as ``{field name: value}`` fast, without returning keys: COPY on
    PostgreSQL, one ``executemany`` elsewhere (``bulk_create`` on SQLite is capped at 999
    parameters per statement, which makes wide rows crawl). Missing fields take their
    default; auto_now fields take the current time."""
    if not rows:
        return 0
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    values = _row_plan(fields, timezone.now())
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
        else:
            marks = ", ".join(["%s"] * len(fields))
            cur.executemany(
                f"INSERT INTO {table} ({cols}) VALUES ({marks})", [values(r) for r in rows]
            )
    return len(rows)


def update_rows(model, rows: list[dict], keep: tuple[str, ...] = ()) -> int:
    """Update rows given as ``{"id": pk, field name: value}``: only the fields the rows
    hold (except ``keep``) and auto_now fields are written. PostgreSQL: COPY into a
    temporary table and one ``UPDATE … FROM``; elsewhere one ``executemany``."""
    if not rows:
        return 0
    names = set().union(*rows) - {"id", *keep}
    fields = [
        f
        for f in model._meta.concrete_fields
        if not f.primary_key
        and (f.attname in names or getattr(f, "auto_now", False))
        and not getattr(f, "auto_now_add", False)
    ]
    pk = model._meta.pk
    values = _row_plan([pk, *fields], timezone.now())
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    cols = [qn(f.column) for f in fields]
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            tmp = qn(f"tmp_update_{model._meta.db_table}")
            cur.execute(f"DROP TABLE IF EXISTS {tmp}")
            cur.execute(
                f"CREATE TEMP TABLE {tmp} ON COMMIT DROP AS "
                f"SELECT {qn(pk.column)}, {', '.join(cols)} FROM {table} LIMIT 0"
            )
            with cur.cursor.copy(
                f"COPY {tmp} ({qn(pk.column)}, {', '.join(cols)}) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(values(row))
            sets = ", ".join(f"{c} = t.{c}" for c in cols)
            cur.execute(
                f"UPDATE {table} SET {sets} FROM {tmp} t "
                f"WHERE {table}.{qn(pk.column)} = t.{qn(pk.column)}"
            )
            cur.execute(f"DROP TABLE {tmp}")
        else:
            sets = ", ".join(f"{c} = %s" for c in cols)
            cur.executemany(
                f"UPDATE {table} SET {sets} WHERE {qn(pk.column)} = %s",
                [(v := values(r))[1:] + v[:1] for r in rows],
            )
    return len(rows)


class BulkLoad:
    """PostgreSQL, first import into an empty person table: drop the person table's plain
    indexes and foreign keys for the load and rebuild them once at the end (a sorted index
    build and one join instead of a million index inserts and trigger checks). Runs inside
    the import's transaction, so a rejected file rolls the DDL back with the rows; the
    table is locked for the load. Unique constraints stay."""

    def __init__(self):
        self.table = Person._meta.db_table
        self.indexes: list[str] = []
        self.foreign_keys: list[tuple[str, str]] = []

    def drop(self) -> None:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND i.indexname NOT IN (SELECT conname FROM pg_constraint "
                "WHERE conrelid = %s::regclass)",
                [self.table, self.table],
            )
            rows = cur.fetchall()
            cur.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'f'",
                [self.table],
            )
            self.foreign_keys = cur.fetchall()
            qn = connection.ops.quote_name
            for name, _def in self.foreign_keys:
                cur.execute(f"ALTER TABLE {qn(self.table)} DROP CONSTRAINT {qn(name)}")
            for name, definition in rows:
                cur.execute(f"DROP INDEX {qn(name)}")
                self.indexes.append(definition)

    def restore(self) -> None:
        qn = connection.ops.quote_name
        with connection.cursor() as cur:
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in self.indexes:
                cur.execute(definition)
            for name, definition in self.foreign_keys:
                cur.execute(f"ALTER TABLE {qn(self.table)} ADD CONSTRAINT {qn(name)} {definition}")
            # fresh statistics, or the next import's look-ups plan sequential scans
            cur.execute(f"ANALYZE {qn(self.table)}, {qn(Household._meta.db_table)}")
