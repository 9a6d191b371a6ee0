"""Demo walk (docs/permissions.md, second walk): opaque person/household/certificate URLs,
a same-day hold refusing a certificate screen opened before it, and a hand-over to a
named counter. Run against `madoguchi serve --port 8091` on a fresh demo city:
``python tests/browser/walk_handover_hold.py OUTDIR`` (set PROT and X at the top: a
protected and an ordinary head of household of that city)."""

import re
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

BASE = "http://127.0.0.1:8091"
OUT = sys.argv[1]
PROT, X = "1000000457", "1000000163"
ids = re.compile(r"1000000\d{3}|5000000\d{3}")


def login(browser, user, pw):
    ctx = browser.new_context(viewport={"width": 1280, "height": 860}, locale="ja-JP")
    ctx.set_default_timeout(60_000)
    page = ctx.new_page()
    page.goto(f"{BASE}/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", pw)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))
    return ctx, page


def links(page):
    return page.eval_on_selector_all(
        "a[href], form[action]",
        "els => els.map(e => e.getAttribute('href') || e.getAttribute('action'))",
    )


with sync_playwright() as p:
    browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    # 1. the clerk without the permission: search the protected person → masked, no link
    ctx, page = login(browser, "madoguchi", "Hanako-Counter-27")
    page.goto(f"{BASE}/register/")
    page.fill("input[name=q]", PROT)
    page.keyboard.press("Enter")
    expect(page.locator("#results tr.masked")).to_be_visible()
    print(
        "search masked rows:",
        page.locator("#results tr.masked").count(),
        "links with ids:",
        [u for u in links(page) if ids.search(u or "")],
    )
    # 2. an ordinary person through the new routes
    page.fill("input[name=q]", X)
    page.keyboard.press("Enter")
    page.locator("#results a.result-link").first.click()
    page.wait_for_url("**/register/p/*/")
    print("person page URL:", page.url, "has id:", bool(ids.search(page.url)))
    page.keyboard.press("Alt+h")
    page.wait_for_url("**/register/h/*/")
    print("household page URL:", page.url, "has id:", bool(ids.search(page.url)))
    # the certificate screen for X, opened before the hold (its link from the certificate search)
    page.goto(f"{BASE}/certificates/")
    page.fill("input[name=q]", X)
    page.keyboard.press("Enter")
    page.locator("a.result-link").first.click()
    page.wait_for_url("**/certificates/new/*/")
    cert_url = page.url
    print("certificate screen URL:", cert_url, "has id:", bool(ids.search(cert_url)))
    # 3. the 課長 sets a same-day hold on X this morning
    kctx, kpage = login(browser, "kacho", "Section-Chief-27")
    kpage.goto(f"{BASE}/register/")
    kpage.fill("input[name=q]", X)
    kpage.keyboard.press("Enter")
    kpage.locator("#results a.result-link").first.click()
    kpage.wait_for_url("**/register/p/*/")
    kpage.locator("#protection-hold summary").click()
    kpage.fill("#protection-hold input[name=reason]", "DV相談（本日受理）")
    kpage.locator("#protection-hold button").click()
    expect(kpage.locator("text=支援措置を設定しました").first).to_be_visible()
    # 4. the clerk submits the certificate request she opened before: refused
    page.goto(cert_url)
    expect(page.locator("#refused")).to_be_visible()
    body = page.locator("main").inner_text()
    print("certificate refused; name shown:", "竹本" in body)
    page.screenshot(path=f"{OUT}/screen-certificate-hold-refused.png", full_page=True)
    page.goto(f"{BASE}/certificates/")
    page.fill("input[name=q]", X)
    page.keyboard.press("Enter")
    expect(page.locator("tr.masked")).to_be_visible()
    print("certificate search after hold: masked")
    # 5. hand-over: madoguchi2 calls a number at counter 1 and holds it for counter 2
    mctx, mpage = login(browser, "madoguchi2", "Jiro-Counter-27")
    mpage.goto(f"{BASE}/counter/?counter_no=1")
    mpage.locator("#issue-form button").click()
    mpage.goto(f"{BASE}/counter/")
    mpage.locator("#call-next").click()
    mpage.wait_for_url("**/counter/visits/*/")
    visit_url = mpage.url
    mpage.goto(f"{BASE}/counter/")
    row = mpage.locator("table.mine tr").first
    number = row.locator("td.no").inner_text()
    row.locator("input[name=to_counter]").fill("2")
    row.locator("button", has_text="保留").click()
    # madoguchi at counter 1 (not handed to her): the visit and a recall are refused
    page.goto(f"{BASE}/counter/?counter_no=1")
    r = page.goto(visit_url)
    print("other's visit before hand-over:", r.status)
    # at counter 2: listed, called and taken over
    page.goto(f"{BASE}/counter/?counter_no=2")
    expect(page.locator("table.handed")).to_contain_text(number)
    page.screenshot(path=f"{OUT}/screen-handover-to-counter.png", full_page=True)
    page.locator("table.handed button").first.click()
    r = page.goto(visit_url)
    print("visit after hand-over to counter 2:", r.status, number)
    browser.close()
