"""The database a benchmark runs on (not a script): created fresh, Django set up on it and
migrated, dropped at the end. Every benchmark that builds its own database uses these, so
dropping, creating and naming the bench database is written once.

    url, backend = fresh_database(args.database_url, "madoguchi_bench_x", workdir)
    setup_django(url)            # DATABASE_URL, django.setup(), migrate
    ...
    drop_database(url)           # PostgreSQL only; a SQLite file goes with its folder

With a server URL (``postgres://user@host:port/anydb``) the database ``name`` is dropped
(connections forced out) and created again on that server; without one a SQLite file in
``workdir`` is used — the demo's own backend.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")


def _admin_url(url: str) -> tuple[str, str]:
    """(URL of the server's ``postgres`` database, name of the database in ``url``)."""
    base, _, name = url.rpartition("/")
    return f"{base}/postgres", name.split("?", 1)[0]


def recreate_database(url: str) -> None:
    """Drop and create again the PostgreSQL database named in ``url``: a bench starts
    from scratch, so a changed migration never meets an old schema."""
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def create_database_if_missing(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` unless it exists (a bench that
    keeps its data between runs)."""
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fresh_database(server_url: str, name: str, workdir: Path) -> tuple[str, str]:
    """A new, empty database: ``name`` on the PostgreSQL server of ``server_url`` (dropped
    and created again), else ``workdir/bench.sqlite3``. Returns (its URL, "PostgreSQL" or
    "SQLite") and sets neither the environment nor Django up (a bench may hand the URL to
    a child process)."""
    if server_url:
        url = f"{server_url.rsplit('/', 1)[0]}/{name}"
        recreate_database(url)
        return url, "PostgreSQL"
    return f"sqlite:///{Path(workdir) / 'bench.sqlite3'}", "SQLite"


def child_env(url: str) -> dict[str, str]:
    """The environment of a child process (``manage.py`` …) working on ``url``: never the
    test suite's database name."""
    env = dict(os.environ)
    env.pop("MADOGUCHI_TEST_DB_NAME", None)
    env["DATABASE_URL"] = url
    return env


def setup_django(url: str, migrate: bool = True) -> None:
    """Point this process at ``url`` (``DATABASE_URL``), ``django.setup()``, and migrate."""
    os.environ.pop("MADOGUCHI_TEST_DB_NAME", None)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)


def drop_database(url: str) -> None:
    """Drop the PostgreSQL database of ``url`` (after closing this process's Django
    connection to it, if any); nothing for SQLite."""
    if not url.startswith("postgres"):
        return
    from django.apps import apps

    if apps.ready:
        from django.db import connection

        connection.close()
    import psycopg

    admin, name = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
