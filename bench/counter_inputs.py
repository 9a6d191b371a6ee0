"""Staff inputs for the move_in family-of-four visit, from "call next" to "printed".

    .venv/bin/python bench/counter_inputs.py [--database-url sqlite:////tmp/x.sqlite3]
        [--screenshots DIR] [--scenario move_in|move_in_signed|certificate|birth|foreign|marriage|death]

``--scenario birth`` / ``foreign`` / ``marriage`` / ``death``: a birth (the parents in the register, the
newborn from the 出生届, the claimant's account), a Vietnamese couple moving in from abroad
(entry form, two residence cards, the new address) and a marriage where the son leaves his
parents' household and the bride hers for a new household at a new address (both found by
the birth date on their ID cards, her new surname and the new 本籍 from the 婚姻届, the
new address, the phone) and a death (the widow found by her ID card, the deceased and the
notifier chosen, the 死亡届 fields the forms ask), from "call next" to signed, by the
walks of ``bench/browser.py`` (the browser tests run the same walks). Inputs are counted
by one rule — one per physical key, Japanese through a romaji IME (ほしの = h o s h i n o
+ the key that commits it), one per click, one per move to the next field — and the data
copied from a paper document (出生届, 婚姻届, residence card, bank book) is reported apart.
Targets for the rest: birth ≤ 35, foreign couple ≤ 40, marriage with a new household ≤ 50,
death ≤ 25. ``--scenario move_in_signed``: the move-in family below, but to signed with
every field its forms ask answered (issue 11's target ≤ 25 for the rest).

``--scenario certificate``: a 住民票の写し（世帯全員） requested by the resident at the
certificate counter (the certificate tests' city, one C ticket): Alt+N → the birth date
from the ID card (7 digits, no IME) → Enter → Enter (the first result) → Alt+P (the
filled 交付申請書 for the signature) → Alt+I (issue; the certificate opens). Target ≤ 12.

Prepares a database (migrate, the pending 転出証明書情報 of the demo move-in family from
the register generator, a clerk, one ticket), starts the product in a second process
(waitress), and drives Debian's chromium with Playwright like a clerk at the keyboard:
Alt+N (call next) → type the family's kana → Enter (search) → Enter (the first result:
the whole pending household, its new address from the certificate) → the three
questions the register cannot answer → Alt+C (the 要確認 insurance and pension confirmed)
→ Alt+K (confirm) → Alt+P (print). Every key
pressed and every click is one input. Prints the inputs
needed and the server time of every step (the views' Server-Timing header). The family's
kana is counted by the same IME rule as every scenario. Target: at most 40 inputs.
Needs Playwright beside the product (``pip install playwright``;
it drives Debian's chromium, ``/usr/bin/chromium`` or ``$CHROMIUM``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    Inputs,
    birth_walk,
    death_walk,
    foreign_walk,
    household_merge_walk,
    household_split_walk,
    ime_keys,
    marriage_walk,
    move_in_walk,
    saved,
)
from load_test import PASSWORD, free_port, start_server  # noqa: E402

MAX_INPUTS = 40
MAX_INPUTS_CERTIFICATE = 12
MAX_INPUTS_WALK = {"birth": 35, "foreign": 40, "marriage": 50, "death": 25, "move_in_signed": 25}
# measured and reported, no target given (issue 11): 世帯分離 and 世帯合併 within the city
WALK_NO_TARGET = ("household_split", "household_merge")
WALKS = (*MAX_INPUTS_WALK, *WALK_NO_TARGET)
TICKET = {
    "move_in": "move_in",
    "birth": "birth",
    "foreign": "move_in_from_abroad",
    "marriage": "marriage",
    "death": "death",
    "move_in_signed": "move_in",
    "household_split": "household_change",
    "household_merge": "household_change",
}


def prepare(url: str, scenario: str = "move_in") -> None:
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from madoguchi.accounts.models import Staff
    from madoguchi.counter import services
    from madoguchi.register.generator import generate_pending

    if scenario in ("move_in", "move_in_signed"):
        generate_pending(1, seed=1)
    if scenario == "birth":
        from browser import make_birth_couple

        make_birth_couple()
    if scenario == "death":
        from browser import make_death_couple

        make_death_couple()
    if scenario in ("marriage", "household_split", "household_merge"):
        from browser import make_marriage_families

        make_marriage_families(same_address=scenario == "household_merge")
    user, _ = Staff.objects.get_or_create(username="bench_clerk")
    user.role, user.department = "clerk", "citizen"
    user.failed_logins, user.locked_until = 0, None
    user.set_password(PASSWORD)
    user.save()
    if scenario == "certificate":
        from madoguchi.certificates.samples import make_city

        make_city()
        services.issue_ticket("certificate")
    else:
        services.issue_ticket(TICKET[scenario])


STEP_OF = {
    "/counter/call-next/": "call next",
    "/search/": "register search",
    "/do/identify/": "identify (household + prefill + determine)",
    "/do/answer/": "answer a question (determine again)",
    "/do/newborn/": "the newborn (determine again)",
    "/do/paper/": "entry form (persons from abroad)",
    "/do/foreign-resident/": "a residence card",
    "/do/address/": "new address",
    "/do/capture/": "fields captured once",
    "/do/sign/": "signed (route to departments)",
    "/do/persons/": "add a person (another household)",
    "/do/events/": "events",
    "/do/involved/": "who is involved",
    "/do/event-details/": "event details",
    "/do/households/": "households after the visit",
    "/do/new-name/": "new surname / 本籍",
    "/do/applicant/": "applicant",
    "/do/confirm_facts/": "要確認 confirmed (Alt+C)",
    "/do/confirm/": "confirm",
    "bundle.pdf": "print (render the bundle PDF)",
    "/certificates/?ticket=": "certificate: search page",
    "/certificates/new/": "certificate: request screen / issue",
    "certificates.pdf": "certificate: render the PDF",
}


def certificate_flow(page, ctx) -> int:
    """The resident's own 住民票の写し（世帯全員）; returns the staff inputs."""
    inputs = 0

    def key(k):
        nonlocal inputs
        page.keyboard.press(k)
        inputs += 1

    key("Alt+n")  # call next: the C ticket opens the request flow
    page.wait_for_url("**/certificates/?ticket=*")
    page.locator("#q").press_sequentially("3600601")  # 昭和60年6月1日, from the ID card
    inputs += 7
    key("Enter")
    page.locator("#results a.result-link").first.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('result-link')")
    key("Enter")
    page.locator("#request-form").wait_for()
    with ctx.expect_page() as popup:
        key("Alt+p")  # the filled 交付申請書
    popup.value.wait_for_load_state()
    with ctx.expect_event("response", lambda r: r.url.endswith("certificates.pdf"), timeout=60_000):
        key("Alt+i")  # issue: the certificate opens in the page
    page.locator("#certificates").wait_for()
    return inputs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--database-url", default="")
    ap.add_argument("--screenshots", default="")
    ap.add_argument(
        "--scenario",
        choices=[
            "move_in",
            "certificate",
            "birth",
            "foreign",
            "marriage",
            "death",
            "move_in_signed",
            *WALK_NO_TARGET,
        ],
        default="move_in",
    )
    args = ap.parse_args(argv)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("counter_inputs.py drives chromium with Playwright: pip install playwright")
        return 2
    tmp = tempfile.mkdtemp(prefix="madoguchi-inputs-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    prepare(url, args.scenario)
    port = free_port()
    server = start_server(url, port, threads=4)
    base = f"http://127.0.0.1:{port}"
    timings: list[tuple[str, float, float]] = []
    inputs = 0
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            ctx = browser.new_context(viewport={"width": 1280, "height": 800}, locale="ja-JP")
            ctx.set_default_timeout(30_000)
            page = ctx.new_page()
            started: dict[str, float] = {}

            def on_request(req):
                started[req.url] = time.perf_counter()

            def on_response(resp):
                for key, step in STEP_OF.items():
                    if key in resp.url:
                        st = resp.headers.get("server-timing", "")
                        if "dur=" not in st:
                            return  # e.g. the PDF viewer's own sub-request
                        server_ms = float(st.split("dur=")[1].split(",")[0])
                        wall = (
                            time.perf_counter() - started.get(resp.url, time.perf_counter())
                        ) * 1000
                        timings.append((step, server_ms, wall))

            ctx.on("request", on_request)
            ctx.on("response", on_response)
            page.goto(f"{base}/accounts/login/")
            page.fill("#id_username", "bench_clerk")
            page.fill("#id_password", PASSWORD)
            page.click("button[type=submit]")
            if args.scenario in WALKS:
                page.goto(f"{base}/counter/")
                c = Inputs(page)
                walk = {
                    "birth": birth_walk,
                    "foreign": foreign_walk,
                    "marriage": marriage_walk,
                    "death": death_walk,
                    "move_in_signed": move_in_walk,
                    "household_split": household_split_walk,
                    "household_merge": household_merge_walk,
                }
                walk = walk[args.scenario]
                shot = None
                if args.screenshots:
                    Path(args.screenshots).mkdir(parents=True, exist_ok=True)

                    def shot(name, around=""):  # the screen before 確認, for a reader
                        path = str(Path(args.screenshots) / f"screen-inputs-{name}.png")
                        box = page.locator(around).bounding_box() if around else None
                        if box:  # one section and what opens below it (a picker's list)
                            top = box["y"] + page.evaluate("() => window.scrollY")
                            clip = {"x": 0, "y": max(top - 8, 0), "width": 1280,
                                    "height": box["height"] + 120}  # fmt: skip
                            page.screenshot(path=path, full_page=True, clip=clip)
                        else:
                            page.screenshot(path=path, full_page=True)

                walk(c, shot)
                browser.close()
                return _report_walk(args.scenario, c, timings)
            if args.scenario == "certificate":
                page.goto(f"{base}/counter/?group=certificate&counter_no=2")
                inputs = certificate_flow(page, ctx)
                browser.close()
                return _report_certificate(inputs, timings)
            page.goto(f"{base}/counter/")

            def key(k):
                nonlocal inputs
                page.keyboard.press(k)
                inputs += 1

            key("Alt+n")  # call next
            page.wait_for_url("**/counter/visits/*/")
            page.locator("#q").press_sequentially("ホシノ")
            inputs += ime_keys("ほしの", "katakana")  # the rule of every scenario
            key("Enter")
            page.locator("#search-results button.pick").first.wait_for()
            # the swapped results settled: the first one holds the focus
            page.wait_for_function("() => document.activeElement.classList.contains('pick')")
            key("Enter")
            page.locator("#questions").wait_for()
            for q in ("person|p1|dog_owner", "person|p2|wants_seal", "person|p4|nursery_wanted"):
                saved(page, lambda q=q: page.locator(f"input[data-q='{q}']").click())
                inputs += 1
            if args.screenshots:
                page.screenshot(path=str(Path(args.screenshots) / "screen-inputs-visit.png"))
            n_procedures = page.locator("#procedures li[data-id]").count()
            # the insurance and pension guesses (要確認): asked and confirmed with one key
            # (Alt+C), or 確認 refuses the visit (counter.safety)
            # Alt+C may save the capture form first (counter.js): wait for the 要確認
            # to be gone, not for the first new version
            key("Alt+c")
            page.locator("#confirm-facts").wait_for(state="detached", timeout=60_000)
            key("Alt+k")
            page.locator("#print").wait_for()
            with ctx.expect_event(
                "response", lambda r: r.url.endswith("bundle.pdf"), timeout=60_000
            ):
                key("Alt+p")
            page.locator("#sign-form").wait_for()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print("move_in family of four (pending 転出証明書情報), from 'call next' to 'printed'")
    print(f"staff inputs: {inputs} (target ≤ {MAX_INPUTS})   procedures shown: {n_procedures}")
    print(f"{'step':<45}{'server ms':>10}{'round trip ms':>15}")
    for step, server_ms, wall in timings:
        print(f"{step:<45}{server_ms:>10.0f}{wall:>15.0f}")
    return 0 if inputs <= MAX_INPUTS else 1


def _report_walk(scenario: str, c, timings) -> int:
    target = MAX_INPUTS_WALK.get(scenario)
    title = {
        "birth": "birth with a newborn",
        "foreign": "foreign couple from abroad",
        "marriage": "marriage: son and bride leave their households for a new one",
        "death": "death (the widow notifies)",
        "move_in_signed": "move_in family of four, every field the forms ask",
        "household_split": "世帯分離 within the city (the son heads a new household)",
        "household_merge": "世帯合併 (a woman living alone joins a household as 同居人)",
    }[scenario]
    print(f"{title}, from 'call next' to 'signed'")
    wanted = f"target ≤ {target}" if target is not None else "no target: reported"
    print(f"staff inputs: {c.rest} ({wanted}) + {c.copied} copied from paper")
    print("where the staff inputs go: " + ", ".join(f"{k} {n}" for k, n in c.steps.items()))
    print(f"{'step':<45}{'server ms':>10}{'round trip ms':>15}")
    for step, server_ms, wall in timings:
        print(f"{step:<45}{server_ms:>10.0f}{wall:>15.0f}")
    return 0 if target is None or c.rest <= target else 1


def _report_certificate(inputs: int, timings) -> int:
    print("住民票の写し（世帯全員） for the resident, from 'call next' to 'printed'")
    print(f"staff inputs: {inputs} (target ≤ {MAX_INPUTS_CERTIFICATE})")
    print(f"{'step':<45}{'server ms':>10}{'round trip ms':>15}")
    for step, server_ms, wall in timings:
        print(f"{step:<45}{server_ms:>10.0f}{wall:>15.0f}")
    return 0 if inputs <= MAX_INPUTS_CERTIFICATE else 1


if __name__ == "__main__":
    sys.exit(main())
