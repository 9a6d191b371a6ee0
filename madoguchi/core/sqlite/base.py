"""Django's SQLite backend, plus: the folder of the database file is created when the first
connection opens. A new user's first command (``madoguchi migrate`` in an empty folder)
would otherwise fail with ``unable to open database file`` because the default database
lives in ``./data``, which nothing has made yet. Created on connect, not when the settings
are read: ``madoguchi help`` or a PostgreSQL deployment leave the file system alone.
"""

from __future__ import annotations

from pathlib import Path

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        if not self.is_in_memory_db():
            Path(conn_params["database"]).parent.mkdir(parents=True, exist_ok=True)
        return super().get_new_connection(conn_params)
