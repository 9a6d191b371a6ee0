"""Benchmark: forms and bundles (typst) against a spreadsheet form converted by LibreOffice.

    .venv/bin/python bench/documents.py [--runs 50] [--lo-runs 10] [--no-libreoffice]

Prints p50/p95 (warm) of
  1. one form: the 住民異動届 of the move_in family-of-four example (no guide sheet),
  2. the whole bundle of that example: determine + every form + the ja/en guide sheet,
  3. the same 住民異動届 the way many municipalities produce it today: a spreadsheet
     template (flat ODS, written here by hand) filled with the same values and converted
     with ``soffice --headless --convert-to pdf`` (one process per form, as a counter PC's
     macro does). LibreOffice is not a product dependency: the script installs
     ``libreoffice-calc-nogui`` with apt-get when ``soffice`` is missing.
and the ratio of (3) to (1). Target: bundle p95 ≤ 300 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "madoguchi.settings")

from madoguchi.catalog.loader import demo_catalog  # noqa: E402
from madoguchi.documents.engine import build_data, format_postal, format_wareki  # noqa: E402
from madoguchi.documents.samples import load_example, with_register  # noqa: E402
from madoguchi.documents.services import render_bundle  # noqa: E402
from madoguchi.rules import determine  # noqa: E402

DAY = dt.date(2027, 4, 1)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return statistics.median(ordered), p95


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


# ---------------------------------------------------------------- the spreadsheet way


def _cell(text: str = "", span: int = 1, style: str = "v") -> str:
    attrs = f' table:style-name="{style}"'
    if span > 1:
        attrs += f' table:number-columns-spanned="{span}"'
    cell = f'<table:table-cell{attrs} office:value-type="string"><text:p>{escape(text)}</text:p></table:table-cell>'
    return cell + "<table:covered-table-cell/>" * (span - 1)


def juminido_fods(values: dict, members: list[dict]) -> str:
    """A 住民異動届 as a one-sheet flat ODS, the layout a municipality keeps in Excel:
    label cells and value cells with borders, A4 portrait, fit to one page."""
    rows = [
        [_cell("住民異動届", 8, "title")],
        [_cell("届出日", 2, "l"), _cell(values["notified_on"], 6)],
        [_cell("届出の種類", 2, "l"), _cell("■転入 □転居 □転出 □世帯変更", 6)],
        [_cell("異動日", 2, "l"), _cell(values["event_date"], 6)],
        [_cell("届出人氏名", 2, "l"), _cell(values["notifier_name"], 6)],
        [_cell("新住所", 2, "l"), _cell(values["new_postal"] + " " + values["new_address"], 6)],
        [_cell("旧住所", 2, "l"), _cell(values["old_postal"] + " " + values["old_address"], 6)],
        [_cell("世帯主", 2, "l"), _cell(values["head_name"], 6)],
        [_cell("本籍", 2, "l"), _cell(values["honseki"], 4), _cell("筆頭者", 1, "l"), _cell(values["hittousha"])],
        [_cell("No.", 1, "l"), _cell("フリガナ", 2, "l"), _cell("氏名", 2, "l"), _cell("生年月日", 1, "l"), _cell("性別", 1, "l"), _cell("続柄", 1, "l")],
    ]  # fmt: skip
    for i, m in enumerate(members, 1):
        rows.append(
            [_cell(str(i)), _cell(m["kana"], 2), _cell(m["name"], 2), _cell(m["birth_date"]),
             _cell(m["sex"]), _cell(m["relationship"])]
        )  # fmt: skip
    rows.append([_cell("届出人署名", 2, "l"), _cell("", 6)])
    body = "".join(
        f'<table:table-row table:style-name="r">{"".join(r)}</table:table-row>' for r in rows
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
 xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
 office:version="1.3" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
<office:automatic-styles>
 <style:style style:name="c" style:family="table-column"><style:table-column-properties style:column-width="22mm"/></style:style>
 <style:style style:name="r" style:family="table-row"><style:table-row-properties style:row-height="9mm"/></style:style>
 <style:style style:name="v" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #000000"/><style:text-properties fo:font-size="11pt"/></style:style>
 <style:style style:name="l" style:family="table-cell"><style:table-cell-properties fo:border="0.5pt solid #000000" fo:background-color="#eeeeee"/><style:text-properties fo:font-size="8pt"/></style:style>
 <style:style style:name="title" style:family="table-cell"><style:paragraph-properties fo:text-align="center"/><style:text-properties fo:font-size="18pt" fo:font-weight="bold"/></style:style>
 <style:page-layout style:name="pm"><style:page-layout-properties fo:page-width="210mm" fo:page-height="297mm" style:print-orientation="portrait" style:scale-to-X="1" style:scale-to-Y="1"/></style:page-layout>
</office:automatic-styles>
<office:master-styles><style:master-page style:name="Default" style:page-layout-name="pm"/></office:master-styles>
<office:body><office:spreadsheet><table:table table:name="住民異動届">
<table:table-column table:style-name="c" table:number-columns-repeated="8"/>
{body}
</table:table></office:spreadsheet></office:body></office:document>
"""


def ensure_soffice() -> str | None:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe:
        return exe
    print("soffice not found: apt-get install -y libreoffice-calc-nogui (benchmark only)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "install", "-y", "-qq", "libreoffice-calc-nogui"], env=env)
    return shutil.which("soffice") or shutil.which("libreoffice")


def libreoffice_form(exe: str, fods: str, workdir: Path, profile: Path) -> bytes:
    src = workdir / "juminido.fods"
    src.write_text(fods, encoding="utf-8")
    out = workdir / "juminido.pdf"
    out.unlink(missing_ok=True)
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(workdir), str(src)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    return out.read_bytes()


# ---------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--lo-runs", type=int, default=10)
    parser.add_argument("--no-libreoffice", action="store_true")
    args = parser.parse_args()

    catalog = demo_catalog()
    situation = with_register(load_example("move_in_family_of_four"))
    result = determine(situation, catalog)
    one = dict(result, procedures=[p for p in result["procedures"] if "juminido" in p["forms"]])

    def one_form():
        return render_bundle(situation, one, catalog, languages=(), notified_on=DAY)

    def bundle():
        return render_bundle(situation, determine(situation, catalog), catalog, notified_on=DAY)

    start = time.perf_counter()
    first = bundle()  # cold: loads the fonts, parses the templates
    cold_ms = (time.perf_counter() - start) * 1000
    one_form()
    form_ms = timed(one_form, args.runs)
    bundle_ms = timed(bundle, args.runs)
    f50, f95 = percentiles(form_ms)
    b50, b95 = percentiles(bundle_ms)
    print(
        f"typst, one form (住民異動届, 1 page): p50 {f50:.1f} ms  p95 {f95:.1f} ms  (n={args.runs})"
    )
    print(
        f"typst, bundle of move_in_family_of_four ({len(first.documents)} forms + guide ja/en, "
        f"{first.pages} pages): p50 {b50:.1f} ms  p95 {b95:.1f} ms  (n={args.runs})  "
        f"target p95 ≤ 300 ms: {'met' if b95 <= 300 else 'MISSED'}"
    )
    print(f"first bundle in a fresh process (cold: fonts + templates): {cold_ms:.0f} ms")
    print(f"handwritten characters saved by this bundle: {first.handwritten_chars}")

    if args.no_libreoffice:
        return
    exe = ensure_soffice()
    if not exe:
        print("LibreOffice unavailable: spreadsheet comparison skipped")
        return
    data, _, _ = build_data(
        situation, one, _forms(catalog), {"name": catalog.name, "code": catalog.code}, None, DAY
    )
    doc = data["documents"][0]
    values = {k: v["text"] for k, v in doc["f"].items()}
    values["notified_on"] = format_wareki(DAY)
    values["new_postal"] = format_postal(values.get("new_postal", ""))
    values["old_postal"] = format_postal(values.get("old_postal", ""))
    members = [{k: v["text"] for k, v in m.items() if isinstance(v, dict)} for m in doc["members"]]
    fods = juminido_fods(values, members)
    with tempfile.TemporaryDirectory() as tmp:
        work, profile = Path(tmp) / "work", Path(tmp) / "profile"
        work.mkdir()
        pdf = libreoffice_form(exe, fods, work, profile)  # warm: the profile is created once
        assert pdf.startswith(b"%PDF"), "LibreOffice produced no PDF"
        lo_ms = timed(lambda: libreoffice_form(exe, fods, work, profile), args.lo_runs)
    l50, l95 = percentiles(lo_ms)
    print(
        f"spreadsheet + soffice --convert-to pdf, same form: p50 {l50:.0f} ms  p95 {l95:.0f} ms  "
        f"(n={args.lo_runs})"
    )
    print(f"ratio spreadsheet/typst (one form, p50): {l50 / f50:.0f}×")


def _forms(catalog):
    from madoguchi.documents.services import forms_of

    return forms_of(catalog.path)


if __name__ == "__main__":
    main()
