"""Playwright (sync API) driving Debian's chromium against pytest-django's live_server."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; live_server's ORM calls are safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT_DIR = os.environ.get("MADOGUCHI_SCREENSHOTS", "")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class Counted:
    """A page wrapper that counts staff inputs: every key pressed and every click."""

    def __init__(self, page):
        self.page = page
        self.inputs = 0

    def type(self, selector: str, text: str):
        self.page.locator(selector).press_sequentially(text)
        self.inputs += len(text)

    def press(self, key: str, selector: str | None = None):
        if selector:
            self.page.locator(selector).press(key)
        else:
            self.page.keyboard.press(key)
        self.inputs += 1

    def click(self, selector: str):
        self.page.locator(selector).click()
        self.inputs += 1

    def select(self, selector: str, value: str):
        self.page.locator(selector).select_option(value)
        self.inputs += 1

    def shot(self, name: str):
        if SCREENSHOT_DIR:
            Path(SCREENSHOT_DIR).mkdir(parents=True, exist_ok=True)
            self.page.screenshot(
                path=str(Path(SCREENSHOT_DIR) / f"screen-{name}.png"), full_page=True
            )


def login(browser, live_server, user):
    """A browser context logged in as ``user`` (the session cookie of a forced login)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    cookie = client.cookies["sessionid"]
    ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    ctx.add_cookies(
        [{"name": "sessionid", "value": cookie.value, "url": live_server.url, "sameSite": "Strict"}]
    )
    ctx.set_default_timeout(20_000)
    return ctx
