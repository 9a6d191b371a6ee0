"""Fast bulk writes for generated history and benchmarks: plain ``executemany`` with ids
assigned here (so rows can point at each other before they are written), values adapted
by the database backend as the ORM would, sequences reset afterwards."""

from __future__ import annotations

import datetime as dt
import json

from django.core.management.color import no_style
from django.db import connection, models


def _sqlite_datetime(value):
    """As Django stores an aware datetime in SQLite: UTC, without the offset."""
    if value is None:
        return None
    if value.tzinfo is dt.UTC:  # already UTC (the generators write UTC): drop "+00:00"
        return value.isoformat(" ")[:-6]
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")


def _sqlite_date(value):
    return None if value is None else value.isoformat()


class Writer:
    """Collects rows per model (dicts of field attnames) and writes them in batches."""

    def __init__(self, *model_list):
        self.models = model_list
        self.rows: dict[type, list[dict]] = {m: [] for m in model_list}
        self.next_id: dict[type, int] = {}
        self.pending = 0
        for m in model_list:
            top = m.objects.aggregate(top=models.Max("pk"))["top"] or 0
            self.next_id[m] = top + 1

    def add(self, model, **values) -> int:
        values.setdefault("id", self.next_id[model])
        self.next_id[model] = max(self.next_id[model], values["id"] + 1)
        self.rows[model].append(values)
        self.pending += 1
        return values["id"]

    def _converters(self, model):
        sqlite = connection.vendor == "sqlite"
        out = []
        for f in model._meta.concrete_fields:
            if isinstance(f, models.DateTimeField):
                conv = _sqlite_datetime if sqlite else None
            elif isinstance(f, models.DateField):
                conv = _sqlite_date if sqlite else None
            elif isinstance(f, models.JSONField):
                conv = lambda v: None if v is None else json.dumps(v, ensure_ascii=False)  # noqa: E731
            else:
                conv = None
            default = f.get_default()
            out.append((f.attname, f.column, conv, default))
        return out

    def flush(self) -> int:
        written = 0
        with connection.cursor() as cur:
            for model in self.models:
                rows = self.rows[model]
                if not rows:
                    continue
                conv = self._converters(model)
                cols = ", ".join(connection.ops.quote_name(c) for _a, c, _f, _d in conv)
                marks = ", ".join(["%s"] * len(conv))
                sql = f"INSERT INTO {model._meta.db_table} ({cols}) VALUES ({marks})"
                params = [
                    [(f(r.get(a, d)) if f else r.get(a, d)) for a, _c, f, d in conv] for r in rows
                ]
                if connection.vendor == "postgresql":  # COPY: the fastest way in
                    copy_sql = f"COPY {model._meta.db_table} ({cols}) FROM STDIN"
                    with cur.cursor.copy(copy_sql) as copy:
                        for row in params:
                            copy.write_row(row)
                else:
                    for i in range(0, len(params), 5000):
                        cur.executemany(sql, params[i : i + 5000])
                written += len(rows)
                rows.clear()
        self.pending = 0
        return written

    def reset_sequences(self) -> None:
        sql = connection.ops.sequence_reset_sql(no_style(), list(self.models))
        if sql:
            with connection.cursor() as cur:
                for statement in sql:
                    cur.execute(statement)
