"""Production settings pass Django's deployment checks; the demo key is refused there."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _check_deploy(extra_env):
    drop = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by the browser tests
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(extra_env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    r = _check_deploy(
        {
            "SECRET_KEY": "x7-Qp2" * 10,
            "ALLOWED_HOSTS": "madoguchi.city.local",
            "MADOGUCHI_SECURE": "1",
            "MADOGUCHI_AUDIT_KEY": "k9-Zr4" * 8,
            "MADOGUCHI_DATA_DIR": str(tmp_path),
        }
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_check_deploy_fails_without_production_settings(tmp_path):
    r = _check_deploy({"MADOGUCHI_DATA_DIR": str(tmp_path)})
    assert r.returncode != 0
    assert "SECURE" in (r.stdout + r.stderr) or "SECRET_KEY" in (r.stdout + r.stderr)


@pytest.mark.production
def test_check_deploy_fails_on_each_unsafe_production_setting(tmp_path):
    """The public demo key, a short key, a wildcard host and DEBUG are each an error."""
    r = _check_deploy(
        {"MADOGUCHI_SECURE": "1", "ALLOWED_HOSTS": "*", "MADOGUCHI_DEBUG": "1",
         "MADOGUCHI_DATA_DIR": str(tmp_path)}
    )  # fmt: skip
    out = r.stdout + r.stderr
    assert r.returncode != 0
    for cid in ("madoguchi.E101", "madoguchi.E103", "madoguchi.E104"):
        assert cid in out, out
    r = _check_deploy(
        {"MADOGUCHI_SECURE": "1", "SECRET_KEY": "short-but-random-Q9", "ALLOWED_HOSTS": "mado.city",
         "MADOGUCHI_DATA_DIR": str(tmp_path)}
    )  # fmt: skip
    assert r.returncode != 0 and "madoguchi.E102" in r.stdout + r.stderr


@pytest.mark.production
def test_serve_refuses_to_start_in_production_with_the_demo_key(tmp_path):
    drop = {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "SECRET_KEY"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update(MADOGUCHI_MODE="production", MADOGUCHI_SECURE="1", MADOGUCHI_DATA_DIR=str(tmp_path))
    r = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "serve", "--port", "1"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert r.returncode == 3, r.stdout + r.stderr
    assert "SECRET_KEY is the public demo key" in r.stderr
