"""Outputs of engine results: JSON (the document itself), Markdown, self-contained HTML with
inline SVG charts (no external assets, prints well), and CSV of the group table."""

from __future__ import annotations

import csv
import html
import io
import json
import math
from typing import Any

CHART_METRICS = ["selection_rate", "fpr", "fnr", "ppv", "accuracy"]


def to_json(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False, default=_jsonable) + "\n"


def _jsonable(value: Any):
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _fmt(v: Any, pct: bool = True) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.1%}" if pct else f"{v:.3g}"
    return str(v)


def _who(attrs: dict) -> str:
    return ", ".join(f"{k}={v}" for k, v in attrs.items()) or "everyone"


def _group_columns(doc: dict) -> list[str]:
    names = []
    for g in doc["groups"]:
        for m in g["metrics"]:
            if m not in names:
                names.append(m)
    return names


# --- CSV ------------------------------------------------------------------------------------


def audit_csv(doc: dict) -> str:
    out = io.StringIO()
    attrs = doc["config"]["protected"]
    metrics = _group_columns(doc)
    writer = csv.writer(out)
    header = [*attrs, "n", "suppressed"]
    for m in metrics:
        header += [
            m,
            f"{m}_ci_low",
            f"{m}_ci_high",
            f"{m}_numerator",
            f"{m}_denominator",
            f"{m}_reason",
        ]
    writer.writerow(header)
    for g in doc["groups"]:
        row = [g["attributes"].get(a, "(all)") for a in attrs] + [g["n"], g["suppressed"]]
        for m in metrics:
            v = g["metrics"].get(m, {})
            row += [
                v.get("value"),
                v.get("ci_low"),
                v.get("ci_high"),
                v.get("numerator"),
                v.get("denominator"),
                v.get("reason", ""),
            ]
        writer.writerow(["" if x is None else x for x in row])
    return out.getvalue()


# --- Markdown -------------------------------------------------------------------------------


def audit_markdown(doc: dict) -> str:
    cfg = doc["config"]
    lines = ["# Bias audit", ""]
    what = (
        f"prediction `{cfg['prediction']}`"
        if cfg["prediction"]
        else (f"score `{cfg['score']}` ≥ {cfg['threshold']}")
    )
    lines += [
        f"{doc['rows']:,} rows ({doc['rows_used']:,} used) from {doc.get('source', 'the data')}; "
        f"label `{cfg['label']}`, {what}; protected: {', '.join(cfg['protected'])}. "
        f"Intervals at {cfg['confidence']:.0%}; groups under {cfg['min_group_size']} are withheld.",
        "",
    ]
    lines += ["## Findings", ""]
    for f in doc["findings"]:
        lines.append(f"- **{f['severity']}** — {f['message']}")
    for note in doc.get("notes", []):
        lines.append(f"- *data note* — {note}")
    lines += ["", "## Groups", ""]
    shown = [
        m
        for m in ["selection_rate", "tpr", "fpr", "fnr", "ppv", "accuracy", "auc"]
        if any(m in g["metrics"] for g in doc["groups"])
    ]
    lines.append("| group | n | " + " | ".join(shown) + " |")
    lines.append("|---|---:|" + "---:|" * len(shown))
    for g in doc["groups"]:
        cells = []
        for m in shown:
            v = g["metrics"].get(m)
            if v is None:
                cells.append("")
            elif v["value"] is None:
                cells.append(f"— ({v.get('reason', '')})" if not g["suppressed"] else "withheld")
            else:
                cells.append(f"{v['value']:.3f} [{v['ci_low']:.3f}, {v['ci_high']:.3f}]")
        lines.append(f"| {_who(g['attributes'])} | {g['n']:,} | " + " | ".join(cells) + " |")
    flagged = [d for d in doc["disparities"] if d["flag"] != "ok"]
    lines += [
        "",
        f"## Disparities ({sum(d['flag'] == 'disparity' for d in doc['disparities'])} flagged, "
        f"{sum(d['flag'] == 'inconclusive' for d in doc['disparities'])} inconclusive, "
        f"of {len(doc['disparities'])} comparisons)",
        "",
    ]
    if flagged:
        lines.append(
            "| group | reference | metric | ratio [CI] | difference [CI] | adjusted p | flag |"
        )
        lines.append("|---|---|---|---|---|---:|---|")
        for d in flagged:
            ratio = (
                "—"
                if d["ratio"] is None
                else (
                    f"{d['ratio']:.2f}"
                    + (
                        f" [{d['ratio_ci'][0]:.2f}, {d['ratio_ci'][1]:.2f}]"
                        if d["ratio_ci"]
                        else ""
                    )
                )
            )
            diff = (
                "—"
                if d["difference"] is None
                else (
                    f"{d['difference']:+.3f} [{d['difference_ci'][0]:+.3f}, {d['difference_ci'][1]:+.3f}]"
                )
            )
            p = "—" if d["p_adjusted"] is None else f"{d['p_adjusted']:.2g}"
            lines.append(
                f"| {_who(d['attributes'])} | {_who(d['reference'])} | {d['metric']} | {ratio} | "
                f"{diff} | {p} | {d['flag']} |"
            )
    else:
        lines.append("No comparison is flagged.")
    return "\n".join(lines) + "\n"


# --- HTML -----------------------------------------------------------------------------------

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1a1a1a;max-width:60rem;margin:2rem auto;padding:0 1rem;line-height:1.5}
h1{font-size:1.8rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:2px solid #1a1a1a}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border-bottom:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}
td.num{text-align:right;font-variant-numeric:tabular-nums}.sev-high{color:#9b1c1c;font-weight:700}.sev-medium{color:#7a4a00;font-weight:700}
.flag-disparity{background:#fde2e1}.flag-inconclusive{background:#fff4d6}figure{margin:1rem 0}figcaption{font-weight:600}
@media print{body{margin:0;max-width:none}h2{break-after:avoid}figure,table{break-inside:avoid}}
"""


def _esc(v: Any) -> str:
    return html.escape(str(v))


def rate_chart(title: str, rows: list[tuple[str, float | None, float | None, float | None]]) -> str:
    """Horizontal dot-and-interval chart on a 0–100 % axis; withheld rows say so in words."""
    width, left, right, bar_h = 640, 220, 20, 22
    height = 30 + bar_h * len(rows) + 20
    span = width - left - right
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_esc(title)}">'
    ]
    for tick in range(0, 101, 20):
        x = left + span * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="20" x2="{x:.1f}" y2="{height - 20}" stroke="#ddd"/>')
        parts.append(f'<text x="{x:.1f}" y="14" font-size="11" text-anchor="middle">{tick}%</text>')
    for i, (label, value, lo, hi) in enumerate(rows):
        y = 30 + i * bar_h + bar_h / 2
        parts.append(
            f'<text x="{left - 8}" y="{y + 4:.1f}" font-size="12" text-anchor="end">{_esc(label)}</text>'
        )
        if value is None or lo is None or hi is None:
            parts.append(
                f'<text x="{left + 4}" y="{y + 4:.1f}" font-size="11" fill="#555">withheld or undefined</text>'
            )
            continue
        x0, x1, xv = (left + span * v for v in (lo, hi, value))
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y:.1f}" x2="{x1:.1f}" y2="{y:.1f}" stroke="#0b4fa8" stroke-width="3"/>'
        )
        parts.append(f'<circle cx="{xv:.1f}" cy="{y:.1f}" r="5" fill="#1a1a1a"/>')
    parts.append("</svg>")
    return "".join(parts)


def audit_html(doc: dict) -> str:
    cfg = doc["config"]
    out = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>Bias audit</title><style>",
        CSS,
        "</style></head><body><main>",
        "<h1>Bias audit</h1>",
    ]
    what = (
        f"prediction <code>{_esc(cfg['prediction'])}</code>"
        if cfg["prediction"]
        else (f"score <code>{_esc(cfg['score'])}</code> ≥ {_esc(cfg['threshold'])}")
    )
    out.append(
        f"<p>{doc['rows']:,} rows ({doc['rows_used']:,} used) from {_esc(doc.get('source', 'the data'))}; "
        f"label <code>{_esc(cfg['label'])}</code>, {what}; protected attributes: "
        f"{_esc(', '.join(cfg['protected']))}. Intervals at {cfg['confidence']:.0%}. Groups with fewer "
        f"than {cfg['min_group_size']} members are withheld.</p>"
    )
    out.append("<h2>Findings</h2><ul>")
    for f in doc["findings"]:
        out.append(
            f'<li><span class="sev-{_esc(f["severity"])}">{_esc(f["severity"])}</span>: {_esc(f["message"])}</li>'
        )
    for note in doc.get("notes", []):
        out.append(f"<li>data note: {_esc(note)}</li>")
    out.append("</ul>")
    singles = [g for g in doc["groups"] if len(g["attributes"]) <= 1]
    out.append("<h2>Rates by group</h2>")
    for m in CHART_METRICS:
        rows = []
        for g in singles:
            v = g["metrics"].get(m, {})
            rows.append((_who(g["attributes"]), v.get("value"), v.get("ci_low"), v.get("ci_high")))
        out.append(
            f"<figure><figcaption>{_esc(m)} with {cfg['confidence']:.0%} intervals</figcaption>"
            + rate_chart(m, rows)
            + "</figure>"
        )
    shown = [
        m
        for m in ["selection_rate", "tpr", "fpr", "fnr", "ppv", "npv", "accuracy", "auc", "brier"]
        if any(m in g["metrics"] for g in doc["groups"])
    ]
    out.append(
        "<h2>Group table</h2><table><caption>Every group, with intervals</caption><thead><tr>"
        '<th scope="col">group</th><th scope="col">n</th>'
        + "".join(f'<th scope="col">{_esc(m)}</th>' for m in shown)
        + "</tr></thead><tbody>"
    )
    for g in doc["groups"]:
        cells = []
        for m in shown:
            v = g["metrics"].get(m)
            if v is None:
                cells.append("<td></td>")
            elif v["value"] is None:
                cells.append(
                    f"<td>{'withheld' if g['suppressed'] else '— ' + _esc(v.get('reason', ''))}</td>"
                )
            else:
                cells.append(
                    f'<td class="num">{v["value"]:.3f}<br><small>[{v["ci_low"]:.3f}, {v["ci_high"]:.3f}]</small></td>'
                )
        out.append(
            f'<tr><th scope="row">{_esc(_who(g["attributes"]))}</th><td class="num">{g["n"]:,}</td>'
            + "".join(cells)
            + "</tr>"
        )
    out.append("</tbody></table>")
    out.append(
        "<h2>Disparities</h2><table><caption>Comparisons flagged or inconclusive "
        "(p-values adjusted by " + _esc(cfg["p_adjustment"]) + ")</caption><thead><tr>"
        '<th scope="col">group</th><th scope="col">reference</th><th scope="col">metric</th>'
        '<th scope="col">ratio [CI]</th><th scope="col">difference [CI]</th>'
        '<th scope="col">adjusted p</th><th scope="col">flag</th></tr></thead><tbody>'
    )
    for d in doc["disparities"]:
        if d["flag"] == "ok":
            continue
        ratio = (
            "—"
            if d["ratio"] is None
            else f"{d['ratio']:.2f}"
            + (f" [{d['ratio_ci'][0]:.2f}, {d['ratio_ci'][1]:.2f}]" if d["ratio_ci"] else "")
        )
        diff = "—" if d["difference"] is None else f"{d['difference']:+.3f}"
        p = "—" if d["p_adjusted"] is None else f"{d['p_adjusted']:.2g}"
        out.append(
            f'<tr class="flag-{d["flag"]}"><td>{_esc(_who(d["attributes"]))}</td><td>{_esc(_who(d["reference"]))}</td>'
            f'<td>{_esc(d["metric"])}</td><td class="num">{ratio}</td><td class="num">{diff}</td>'
            f'<td class="num">{p}</td><td>{_esc(d["flag"])}</td></tr>'
        )
    out.append("</tbody></table></main></body></html>")
    return "\n".join(out)


def render(doc: dict, fmt: str) -> str:
    kind = doc["schema"].split("/")[0].split(".")[-1]
    if fmt == "json":
        return to_json(doc)
    if kind == "audit":
        return {"md": audit_markdown, "html": audit_html, "csv": audit_csv}[fmt](doc)
    if kind == "drift":  # `from . import drift` would give the function the package exports
        from .drift import to_csv, to_html, to_markdown

        return {"md": to_markdown, "html": to_html, "csv": to_csv}[fmt](doc)
    from . import claims, representativeness

    module = {"representativeness": representativeness, "claim": claims}[kind]
    return {"md": module.to_markdown, "html": module.to_html, "csv": module.to_csv}[fmt](doc)
