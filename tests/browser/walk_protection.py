"""Walk the demo as an attacker inside the city hall: a clerk without the 支援措置
permission, and a department clerk. Screenshots of the refusals go to docs/."""

import re
import sys
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

BASE = "http://127.0.0.1:8102"
OUT = sys.argv[1]
PROT, OTHER_VISIT, PROT_VISIT, PROT_TASK = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
REFUSAL = "支援措置対象者です。権限のある職員に引き継いでください"


def login(page, user, pw):
    page.goto(f"{BASE}/accounts/login/")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", pw)
    page.click("button[type=submit], input[type=submit]")
    page.wait_for_url(re.compile(r".*/(\?.*)?$"))


with sync_playwright() as p:
    b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    ctx = b.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = ctx.new_page()
    login(page, "madoguchi", "Hanako-Counter-27")
    # a new visit of my own
    page.goto(f"{BASE}/counter/")
    page.locator("form[action='/counter/visits/new/'] button").first.click()
    page.wait_for_url(re.compile(r".*/counter/visits/\d+/$"))
    my_visit = page.url
    # searching shows the protected person only as a masked row
    page.fill("#q", PROT)
    page.keyboard.press("Enter")
    expect(page.locator("#search-results")).to_contain_text("支援措置", timeout=15000)
    page.screenshot(path=f"{OUT}/screen-protected-search-masked.png", full_page=False)
    # the attack: post the 宛名番号 straight to the identify step (as devtools would)
    version = page.locator("#visit").get_attribute("data-version")
    page.evaluate(
        """([url, v, a]) => { const f = document.createElement('form'); f.method = 'post';
        f.action = url; for (const [k, val] of [['version', v], ['atena_no', a],
        ['csrfmiddlewaretoken', document.querySelector('[name=csrfmiddlewaretoken]').value]]) {
        const i = document.createElement('input'); i.name = k; i.value = val; f.appendChild(i); }
        document.body.appendChild(f); f.submit(); }""",
        [my_visit + "do/identify/", version, PROT],
    )
    expect(page.locator("#error")).to_have_text(REFUSAL, timeout=15000)
    page.screenshot(path=f"{OUT}/screen-protected-identify-refused.png", full_page=False)
    # another clerk's visit by its id, and a permitted colleague's protected visit
    r = page.goto(f"{BASE}/counter/visits/{OTHER_VISIT}/")
    assert r.status == 403, r.status
    expect(page.locator("#refusal")).to_contain_text("他の職員が対応中の案件です")
    page.screenshot(path=f"{OUT}/screen-other-visit-refused.png", full_page=False)
    r = page.goto(f"{BASE}/counter/visits/{PROT_VISIT}/")
    assert r.status == 403, r.status
    expect(page.locator("#refusal")).to_have_text(REFUSAL)
    page.screenshot(path=f"{OUT}/screen-protected-visit-refused.png", full_page=False)
    r = page.goto(f"{BASE}/counter/visits/{PROT_VISIT}/bundle.pdf")
    assert r.status == 403, r.status
    ctx.close()

    # a department clerk (保険医療課, no permission)
    ctx = b.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = ctx.new_page()
    login(page, "hoken", "Insurance-Desk-27")
    r = page.goto(f"{BASE}/tasks/{PROT_TASK}/")
    assert r.status == 403, r.status
    expect(page.locator("#refusal")).to_have_text(REFUSAL)
    page.screenshot(path=f"{OUT}/screen-department-task-refused.png", full_page=False)
    r = page.goto(f"{BASE}/register/")
    assert r.status == 403, r.status
    expect(page.locator("#refusal")).to_contain_text("住民記録の閲覧が許可されていません")
    page.screenshot(path=f"{OUT}/screen-department-register-refused.png", full_page=False)
    ctx.close()

    # the manager's page of flagged records shows every attempt
    ctx = b.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
    page = ctx.new_page()
    login(page, "kacho", "Section-Chief-27")
    page.goto(f"{BASE}/audit/flagged/")
    expect(page.locator("#flagged")).to_contain_text("visit.identify.denied")
    expect(page.locator("#flagged")).to_contain_text("task.protected.denied")
    expect(page.locator("#flagged")).to_contain_text("visit.protected.denied")
    page.screenshot(path=f"{OUT}/screen-flagged-reads.png", full_page=False)
    b.close()
print("walk ok")
