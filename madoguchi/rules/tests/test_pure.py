"""determine is pure: it runs without Django settings and without a database."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLES_DIR

REPO = Path(__file__).resolve().parents[3]


def test_determine_runs_without_django_settings():
    code = (
        "import json, sys, yaml\n"
        "from madoguchi.catalog.loader import load_catalog\n"
        "from madoguchi.rules import determine\n"
        "sit = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
        "catalog = load_catalog(sys.argv[2])\n"
        "print(json.dumps(sorted(p['id'] for p in determine(sit, catalog)['procedures'])))\n"
        "import django.conf\n"
        "assert not django.conf.settings.configured\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    sit = EXAMPLES_DIR / "move_in_family_of_four.situation.yaml"
    catalog_dir = REPO / "madoguchi" / "catalog" / "data" / "demo"
    r = subprocess.run(
        [sys.executable, "-c", code, str(sit), str(catalog_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    want = json.loads((EXAMPLES_DIR / "move_in_family_of_four.expected.json").read_text())
    assert json.loads(r.stdout) == sorted(want)
