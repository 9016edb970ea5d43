"""Server-side SVG line charts of a monitor's figures over windows, with threshold lines. Each
chart is drawn from the same rows as the table printed under it (its twin)."""

from __future__ import annotations

from html import escape

W, H, PAD_L, PAD_R, PAD_T, PAD_B = 640, 220, 56, 16, 16, 36


def line_chart(title: str, points: list[tuple[str, float | None]], lines: list[tuple[str, float]]):
    """points: (window label, value or None); lines: (label, y) thresholds. Returns SVG text."""
    values = [v for _l, v in points if v is not None] + [y for _l, y in lines]
    if not values:
        return ""
    lo, hi = min(values), max(values)
    if lo == hi:
        lo, hi = lo - 1 if lo else -1, hi + 1 if hi else 1
    span = hi - lo
    lo, hi = lo - span * 0.08, hi + span * 0.08
    n = max(len(points), 2)

    def x(i):
        return PAD_L + (W - PAD_L - PAD_R) * i / (n - 1)

    def y(v):
        return PAD_T + (H - PAD_T - PAD_B) * (1 - (v - lo) / (hi - lo))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f'<rect x="{PAD_L}" y="{PAD_T}" width="{W - PAD_L - PAD_R}" height="{H - PAD_T - PAD_B}" '
        'fill="#fff" stroke="#888"/>',
    ]
    for frac in (0, 0.5, 1):
        v = lo + (hi - lo) * frac
        parts.append(
            f'<text x="{PAD_L - 6}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">'
            f"{v:.3g}</text>"
        )
    colours = {"warning": "#8a5a00", "critical": "#b00020"}
    for label, value in lines:
        colour = colours.get(label.split()[0], "#555")
        parts.append(
            f'<line x1="{PAD_L}" x2="{W - PAD_R}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            f'stroke="{colour}" stroke-dasharray="6 4"/>'
            f'<text x="{W - PAD_R - 4}" y="{y(value) - 4:.1f}" text-anchor="end" font-size="11" '
            f'fill="{colour}">{escape(label)} {value:.3g}</text>'
        )
    path, dots = [], []
    for i, (_label, v) in enumerate(points):
        if v is None:
            continue
        path.append(f"{'M' if not path else 'L'}{x(i):.1f},{y(v):.1f}")
        dots.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3" fill="#0b4fa8"/>')
    if path:
        parts.append(f'<path d="{" ".join(path)}" fill="none" stroke="#0b4fa8" stroke-width="2"/>')
    parts += dots
    step = max(1, len(points) // 6)
    for i in range(0, len(points), step):
        parts.append(
            f'<text x="{x(i):.1f}" y="{H - 12}" text-anchor="middle" font-size="11">'
            f"{escape(points[i][0])}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
