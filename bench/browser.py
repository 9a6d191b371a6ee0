"""Debian's chromium and the flags it runs with, for Playwright (not a script): used by
counter_inputs.py and by the browser tests (their fixtures import it), so the
benchmark drives the browser exactly as the tests do without importing the tests."""

import os

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
