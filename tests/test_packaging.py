"""constraints.txt pins every run-time dependency (an offline install is reproducible)."""

import re
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent


def _key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_runtime_dependency():
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[_key(name)] = version.strip()
    needed: set[str] = set()

    def walk(name: str) -> None:
        if _key(name) in needed:
            return
        needed.add(_key(name))
        for spec in distribution(name).requires or []:
            req = Requirement(spec)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            walk(req.name)
            for extra in req.extras:  # psycopg[binary] → psycopg-binary
                needed.add(_key(f"{req.name}-{extra}"))

    walk("madoguchi")
    needed.discard("madoguchi")
    assert needed - set(pins) == set(), "add to constraints.txt"
