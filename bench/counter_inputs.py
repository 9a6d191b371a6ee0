"""Staff inputs for the move_in family-of-four visit, from "call next" to "printed".

    .venv/bin/python bench/counter_inputs.py [--database-url sqlite:////tmp/x.sqlite3]
        [--screenshots DIR]

Prepares a database (migrate, the pending 転出証明書情報 of the demo move-in family from
the register generator, a clerk, one ticket), starts the product in a second process
(waitress), and drives Debian's chromium with Playwright like a clerk at the keyboard:
Alt+N (call next) → type the family's kana → Enter (search) → Enter (the first result:
the whole pending household, its new address from the certificate) → the three
questions the register cannot answer → Alt+K (confirm) → Alt+P (print). Every key
pressed (search text counted per key) and every click is one input. Prints the inputs
needed and the server time of every step (the views' Server-Timing header).
Target: at most 40 inputs.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import PASSWORD, REPO, free_port, start_server  # noqa: E402


def _browser_settings():
    """Chromium path and flags: the same as the browser tests (the root conftest.py)."""
    import importlib.util

    path = REPO / "conftest.py"
    spec = importlib.util.spec_from_file_location("_browser_conftest", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.CHROMIUM, mod.CHROMIUM_ARGS


CHROMIUM, CHROMIUM_ARGS = _browser_settings()

MAX_INPUTS = 40


def prepare(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from madoguchi.accounts.models import Staff
    from madoguchi.counter import services
    from madoguchi.register.generator import generate_pending

    generate_pending(1, seed=1)
    user, _ = Staff.objects.get_or_create(username="bench_clerk")
    user.role, user.department = "clerk", "citizen"
    user.failed_logins, user.locked_until = 0, None
    user.set_password(PASSWORD)
    user.save()
    services.issue_ticket("move_in")


STEP_OF = {
    "/counter/call-next/": "call next",
    "/search/": "register search",
    "/do/identify/": "identify (household + prefill + determine)",
    "/do/answer/": "answer a question (determine again)",
    "/do/confirm/": "confirm",
    "bundle.pdf": "print (render the bundle PDF)",
}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--database-url", default="")
    ap.add_argument("--screenshots", default="")
    args = ap.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="madoguchi-inputs-")
    url = args.database_url or f"sqlite:///{tmp}/bench.sqlite3"
    prepare(url)
    port = free_port()
    server = start_server(url, port, threads=4)
    base = f"http://127.0.0.1:{port}"
    timings: list[tuple[str, float, float]] = []
    inputs = 0
    try:
        from playwright.sync_api import sync_playwright

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
            page.goto(f"{base}/counter/")

            def key(k):
                nonlocal inputs
                page.keyboard.press(k)
                inputs += 1

            key("Alt+n")  # call next
            page.wait_for_url("**/counter/visits/*/")
            page.locator("#q").press_sequentially("ホシノ")
            inputs += len("ホシノ")
            key("Enter")
            page.locator("#search-results button.pick").first.wait_for()
            page.wait_for_timeout(150)  # let htmx settle the swapped results (a clerk reads them)
            key("Enter")
            page.locator("#questions").wait_for()
            for q in ("person|p1|dog_owner", "person|p2|wants_seal", "person|p4|nursery_wanted"):
                version = page.locator("#visit").get_attribute("data-version")
                page.locator(f"input[data-q='{q}']").click()
                inputs += 1
                page.wait_for_function(
                    f"document.getElementById('visit').dataset.version != '{version}'"
                )
            if args.screenshots:
                page.screenshot(path=str(Path(args.screenshots) / "screen-inputs-visit.png"))
            n_procedures = page.locator("#procedures li[data-id]").count()
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


if __name__ == "__main__":
    sys.exit(main())
