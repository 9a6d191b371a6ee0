"""A new user's first command in an empty folder works: the data directory is created on
first use (the default SQLite database lives in ``./data``, which nothing has made yet)."""

import os
import subprocess
import sys

DROP = {"DATABASE_URL", "MADOGUCHI_DATA_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE"}


def _madoguchi(args, cwd, **extra_env):
    env = {k: v for k, v in os.environ.items() if k not in DROP}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_migrate_in_an_empty_folder_creates_the_data_directory(tmp_path):
    r = _madoguchi(["migrate"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "unable to open database file" not in r.stderr
    assert (tmp_path / "data" / "madoguchi.sqlite3").is_file()


def test_a_database_url_into_a_folder_that_does_not_exist_yet(tmp_path):
    db = tmp_path / "not" / "yet" / "x.sqlite3"
    r = _madoguchi(["showmigrations", "accounts"], tmp_path, DATABASE_URL=f"sqlite:///{db}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert db.is_file()


def test_a_command_that_opens_no_database_leaves_the_folder_alone(tmp_path):
    r = _madoguchi(["help"], tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert list(tmp_path.iterdir()) == []
