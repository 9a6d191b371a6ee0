"""Production settings pass Django's deployment checks; the demo key is refused there."""

import os
import subprocess
import sys
from pathlib import Path

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
