"""The wheel a city installs holds every asset: built from this checkout, installed with
its dependencies (constraints.txt) into a fresh venv, run from an empty folder — a page
with its web fonts, a PDF bundle, `madoguchi --version`. A plain `pip install .` used to
leave out the woff2 fonts (404 on every page) and the pending-move-in sample."""

from __future__ import annotations

import http.client
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from test_production import free_port, wait_port  # tests/ is on sys.path (rootdir)

REPO = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.production


def _pip(*args, cwd=None):
    r = subprocess.run(
        [*args], cwd=cwd, capture_output=True, text=True, timeout=900,
        env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
    )  # fmt: skip
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    return r


def asset_files(root: Path) -> set[str]:
    """Every file of the package that is not Python code or a test."""
    out = set()
    for p in root.rglob("*"):
        rel = p.relative_to(root).as_posix()
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in rel:
            out.add(rel)
    return out


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    _pip(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp / "dist"), str(REPO)
    )
    (wheel,) = (tmp / "dist").glob("madoguchi-*.whl")
    venv = tmp / "venv"
    _pip(sys.executable, "-m", "venv", str(venv))
    _pip(
        str(venv / "bin" / "pip"), "install", "-q", "-c", str(REPO / "constraints.txt"), str(wheel)
    )
    site = next((venv / "lib").glob("python3*/site-packages"))
    return {"tmp": tmp, "venv": venv, "site": site, "wheel": wheel}


def test_every_asset_is_in_the_installed_package(installed):
    missing = asset_files(REPO / "madoguchi") - asset_files(installed["site"] / "madoguchi")
    assert not missing, sorted(missing)
    assert not (installed["site"] / "madoguchi").joinpath("__editable__").exists()
    dist = next(installed["site"].glob("madoguchi-*.dist-info"))
    metadata = (dist / "METADATA").read_text(encoding="utf-8")
    assert "License-Expression: MIT" in metadata
    assert (dist / "licenses" / "LICENSE").exists()


def test_installed_wheel_serves_a_page_with_its_fonts_and_renders_a_pdf(installed):
    tmp, bin_ = installed["tmp"], installed["venv"] / "bin"
    run_dir = tmp / "run"  # an empty folder: nothing of the checkout is reachable
    run_dir.mkdir()
    drop = {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    (tmp / "data").mkdir()
    env["MADOGUCHI_DATA_DIR"] = str(tmp / "data")

    def madoguchi(*args):
        r = subprocess.run(
            [str(bin_ / "madoguchi"), *args], cwd=run_dir, env=env,
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
        return r.stdout

    assert madoguchi("--version").strip() == "madoguchi 0.1.0"
    madoguchi("migrate", "-v0")
    madoguchi("catalog", "load")
    situation = (
        installed["site"] / "madoguchi/rules/examples/marriage_surname_change.situation.yaml"
    )
    madoguchi("documents", "render", str(situation), "--out", str(tmp / "bundle.pdf"))
    pdf = (tmp / "bundle.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000

    port = free_port()
    server = subprocess.Popen(
        [str(bin_ / "madoguchi"), "serve", "--port", str(port)], cwd=run_dir, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_port(port, server)

        def get(path):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", path)
            r = conn.getresponse()
            return r.status, r.read()

        status, page = get("/accounts/login/")
        assert status == 200
        css = re.search(rb'href="(/static/[^"]+\.css)"', page).group(1).decode()
        status, sheet = get(css)
        assert status == 200
        fonts = re.findall(rb'url\("\.\./fonts/([^"]+\.woff2)"\)', sheet)
        assert fonts
        for font in fonts:
            status, body = get(f"/static/fonts/{font.decode()}")
            assert status == 200 and len(body) > 10_000, font
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
