"""Every worked example of shared/domain/examples is a test: the same ids and persons,
from the Python API and from ``madoguchi determine --json``."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from madoguchi.catalog.loader import demo_catalog
from madoguchi.rules import determine

REPO = Path(__file__).resolve().parents[3]
SHARED = Path(os.environ.get("MADOGUCHI_SHARED_DIR", REPO.parent / "shared"))
EXAMPLES = sorted((SHARED / "domain" / "examples").glob("*.situation.yaml"))


def expected(path: Path) -> dict:
    return json.loads(
        path.with_name(path.name.replace(".situation.yaml", ".expected.json")).read_text()
    )


def ids_and_persons(result: dict) -> dict:
    return {p["id"]: sorted(p["persons"]) for p in result["procedures"]}


def test_examples_found():
    assert len(EXAMPLES) >= 9


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name.split(".")[0])
def test_example(path):
    situation = yaml.safe_load(path.read_text())
    result = determine(situation, demo_catalog())
    assert ids_and_persons(result) == expected(path)
    assert result["event"] == situation["event"]
    assert result["catalog"]["municipality"] == "demo"
    # every procedure the event can trigger is either applied or explained
    applied = {p["id"] for p in result["procedures"]}
    explained = {n["id"] for n in result["not_applicable"]}
    assert not applied & explained
    for p in result["procedures"]:
        assert p["because"], p["id"]
        assert len(p["because"]) == max(len(p["persons"]), 1)
    for n in result["not_applicable"]:
        assert n["because"]


def test_cli_matches_api_for_all_examples():
    proc = subprocess.run(
        [sys.executable, "-m", "madoguchi.cli", "determine", *map(str, EXAMPLES), "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout)
    assert isinstance(results, list) and len(results) == len(EXAMPLES)
    for path, result in zip(EXAMPLES, results, strict=True):
        assert result == determine(yaml.safe_load(path.read_text()), demo_catalog())
