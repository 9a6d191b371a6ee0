"""Charts drawn by the product: small server-rendered SVG, Japanese labels, the number
beside every bar (no chart library, no network). The same SVG goes into the page and
into the monthly PDF (Typst reads SVG)."""

from __future__ import annotations

from django.utils.html import escape

FONT = "'Noto Sans CJK JP', 'Yu Gothic UI', Meiryo, MadoguchiSans, sans-serif"
BLUE = "#0b5cad"
AMBER = "#c77700"


def _fmt(value: float, digits: int = 0) -> str:
    if value is None:
        return "—"
    return f"{value:,.{digits}f}"


def _svg(width: int, height: int, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12">'
        f"<title>{escape(title)}</title>" + "".join(body) + "</svg>"
    )


def hbar(
    items: list[tuple[str, float]], title: str, unit: str = "", digits: int = 0, width=560
) -> str:
    """Horizontal bars: label on the left, the value (and unit) beside the bar."""
    label_w, value_w, row_h = 200, 90, 20
    bar_w = width - label_w - value_w
    peak = max((v or 0 for _, v in items), default=0) or 1
    body = []
    for i, (label, value) in enumerate(items):
        y = i * row_h
        w = max(0.0, (value or 0) / peak * bar_w)
        body.append(
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{escape(label[:18])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
            f'fill="{BLUE}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 14}">{_fmt(value, digits)}{unit}</text>'
        )
    return _svg(width, max(row_h, row_h * len(items)), body, title)


def columns(
    items: list[tuple[str, float]],
    title: str,
    unit: str = "",
    every: int = 1,
    width: int = 720,
    height: int = 180,
    values: bool = True,
    color: str = BLUE,
) -> str:
    """Vertical columns with a label under every ``every``-th one and the peak marked;
    with ``values`` each column carries its number."""
    top, bottom, left = 18, 22, 36
    n = max(1, len(items))
    plot_h = height - top - bottom
    col_w = (width - left) / n
    peak = max((v or 0 for _, v in items), default=0) or 1
    body = [
        f'<text x="0" y="{top + 4}" font-size="10">{_fmt(peak)}</text>'
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width}" y2="{top + plot_h}" stroke="#888"/>'
    ]
    for i, (label, value) in enumerate(items):
        h = (value or 0) / peak * plot_h
        x = left + i * col_w
        body.append(
            f'<rect x="{x + col_w * 0.1:.1f}" y="{top + plot_h - h:.1f}" '
            f'width="{max(0.6, col_w * 0.8):.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{escape(label)}: {_fmt(value)}{unit}</title></rect>"
        )
        if values and value:
            body.append(
                f'<text x="{x + col_w / 2:.1f}" y="{top + plot_h - h - 3:.1f}" '
                f'text-anchor="middle" font-size="10">{_fmt(value)}</text>'
            )
        if i % every == 0:
            body.append(
                f'<text x="{x + col_w / 2:.1f}" y="{height - 6}" text-anchor="middle" '
                f'font-size="10">{escape(label)}</text>'
            )
    return _svg(width, height, body, title)


def heatmap(rows: list[str], cols: list[str], cells: dict[tuple[int, int], float], title: str):
    """Weekday × hour: darker is busier, the count written in each cell."""
    cell_w, cell_h, left, top = 44, 22, 40, 18
    peak = max(cells.values(), default=0) or 1
    body = []
    for j, c in enumerate(cols):
        body.append(
            f'<text x="{left + j * cell_w + cell_w / 2}" y="12" text-anchor="middle" '
            f'font-size="10">{escape(c)}</text>'
        )
    for i, r in enumerate(rows):
        y = top + i * cell_h
        body.append(f'<text x="{left - 6}" y="{y + 15}" text-anchor="end">{escape(r)}</text>')
        for j in range(len(cols)):
            v = cells.get((i, j), 0)
            shade = v / peak
            fill = f"rgba(11,92,173,{0.08 + 0.85 * shade:.2f})" if v else "#f4f4f4"
            ink = "#fff" if shade > 0.55 else "#222"
            x = left + j * cell_w
            body.append(
                f'<rect x="{x}" y="{y}" width="{cell_w - 2}" height="{cell_h - 2}" fill="{fill}"/>'
                f'<text x="{x + cell_w / 2 - 1}" y="{y + 15}" text-anchor="middle" '
                f'font-size="10" fill="{ink}">{_fmt(v) if v else ""}</text>'
            )
    return _svg(left + cell_w * len(cols), top + cell_h * len(rows), body, title)


def split(items: list[tuple[str, float]], title: str, width: int = 560) -> str:
    """One stacked bar of shares (e.g. completed at one counter / tasks left), labelled."""
    total = sum(v for _, v in items) or 1
    colors = [BLUE, AMBER, "#6a8f3c", "#8a4f9e"]
    body, x = [], 0.0
    slot = width / max(1, len(items))
    for i, (label, value) in enumerate(items):
        w = value / total * width
        color = colors[i % len(colors)]
        body.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="22" fill="{color}"/>'
            f'<rect x="{i * slot:.1f}" y="28" width="10" height="10" fill="{color}"/>'
            f'<text x="{i * slot + 14:.1f}" y="38">{escape(label)} {_fmt(value)}'
            f" ({value / total:.0%})</text>"
        )
        x += w
    return _svg(width, 44, body, title)
