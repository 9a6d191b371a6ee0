"""Helpers for the counter's browser tests (the `browser` fixture is in the root conftest)."""

import os
from pathlib import Path

SCREENSHOT_DIR = os.environ.get("MADOGUCHI_SCREENSHOTS", "")


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
    # a loaded 2-core CI machine renders a bundle or answers a step in well over 20 s at
    # times: every wait is for a condition, with room to arrive
    ctx.set_default_timeout(60_000)
    return ctx
