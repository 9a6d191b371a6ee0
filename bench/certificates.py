"""Benchmark: rendering a certificate (typst), warm.

    .venv/bin/python bench/certificates.py [--runs 100] [--database-url sqlite:////tmp/x.sqlite3]

Prepares a database (migrate, the certificate tests' city: a household of four with a
registered seal), issues a 住民票の写し（世帯全員） with 世帯主・続柄 and 本籍, and a 印鑑登録証明書,
then times, after one warm-up:
  1. render: the household copy's PDF from its issued record (register read, QR, typst),
  2. render: the 印鑑登録証明書 (with the 印影 image),
  3. issue + render: check the rules, write the records and audit row, render the PDF.
Prints p50/p95 in ms. Target: render p95 ≤ 100 ms warm.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

from benchdb import setup_django  # noqa: E402

TARGET_MS = 100.0


def timed(fn, runs: int) -> list[float]:
    fn()  # warm-up
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=100)
    ap.add_argument("--database-url", default="")
    args = ap.parse_args(argv)
    tmp = tempfile.mkdtemp(prefix="madoguchi-certs-")
    os.environ.setdefault("MADOGUCHI_DATA_DIR", tmp)
    setup_django(args.database_url or f"sqlite:///{tmp}/bench.sqlite3")
    from documents import percentiles  # the same p50/p95 as the documents benchmark

    from madoguchi.accounts.models import Staff
    from madoguchi.certificates import render, services
    from madoguchi.certificates.samples import make_city
    from madoguchi.register.models import Person

    if not Person.objects.filter(atena_no="200001").exists():
        make_city()
    clerk, _ = Staff.objects.get_or_create(username="bench_certs", defaults={"role": "clerk"})
    req = services.issue(
        services.RequestIn(
            "200001",
            lines=[
                services.Line("juminhyo_all", 1, ["head_relationship", "honseki"]),
                services.Line("seal"),
            ],
            seal_card_no="S0000001",
        ),
        clerk,
    )
    household, seal = list(req.certificates.order_by("id"))

    def issue_and_render():
        r = services.issue(
            services.RequestIn("200001", lines=[services.Line("juminhyo_all")]), clerk
        )
        render.render_certificates(list(r.certificates.all()))

    rows = [
        (
            "render 住民票の写し（世帯全員, 4 persons）",
            timed(lambda: render.render_certificates([household]), args.runs),
        ),
        (
            "render 印鑑登録証明書 (印影)",
            timed(lambda: render.render_certificates([seal]), args.runs),
        ),
        ("issue + render 住民票の写し", timed(issue_and_render, max(10, args.runs // 4))),
    ]
    db = os.environ["DATABASE_URL"].split(":")[0]
    print(f"certificates, warm, {args.runs} runs ({db})")
    print(f"{'':<44}{'p50 ms':>9}{'p95 ms':>9}")
    ok = True
    for name, samples in rows:
        p50, p95 = percentiles(samples)
        print(f"{name:<44}{p50:>9.1f}{p95:>9.1f}")
        if name.startswith("render"):
            ok = ok and p95 <= TARGET_MS
    print(f"target: render p95 ≤ {TARGET_MS:.0f} ms — {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
