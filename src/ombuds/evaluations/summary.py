"""An engine result as tables a person reads: groups, disparities, findings.

Results come from outside and may lack what the engine normally writes; every value is read
defensively and shown as "—" when absent. Long tables are cut, saying so: the downloadable JSON
holds everything.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from .models import Kind
from .results import kind_for

MAX_ROWS = 200
DASH = "—"


def _num(value: Any, digits: int = 2) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DASH
    return f"{value:.{digits}f}"


def _pct(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DASH
    return f"{value * 100:.1f} %"


def _count(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        return DASH
    return f"{value:,}"


def _p(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return DASH
    return f"{value:.2g}"


def _interval(low: Any, high: Any, fmt=_num) -> str:
    if fmt(low) == DASH or fmt(high) == DASH:
        return ""
    return f"[{fmt(low)}, {fmt(high)}]"


def who(attributes: Any) -> str:
    if not isinstance(attributes, dict) or not attributes:
        return _("everyone")
    return ", ".join(f"{k}={v}" for k, v in attributes.items())


def _dicts(value: Any) -> list[dict]:
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def _metric(metrics: Any, name: str) -> dict:
    found = metrics.get(name) if isinstance(metrics, dict) else None
    return found if isinstance(found, dict) else {}


def _rate(metrics: Any, name: str) -> str:
    m = _metric(metrics, name)
    if m.get("value") is None:
        return m.get("reason") or DASH
    text = _pct(m.get("value"))
    ci = _interval(m.get("ci_low"), m.get("ci_high"), _pct)
    return f"{text} {ci}".strip()


def findings(result: dict) -> list[dict]:
    return [
        {"severity": str(f.get("severity", "")), "message": str(f.get("message", ""))}
        for f in _dicts(result.get("findings"))
        if f.get("message")
    ]


def _audit(result: dict) -> dict:
    groups = _dicts(result.get("groups"))
    rows = []
    for g in groups[:MAX_ROWS]:
        metrics = g.get("metrics")
        rows.append(
            {
                "group": who(g.get("attributes")),
                "n": _count(g.get("n")),
                "suppressed": bool(g.get("suppressed")),
                "selection_rate": _rate(metrics, "selection_rate"),
                "tpr": _rate(metrics, "tpr"),
                "fpr": _rate(metrics, "fpr"),
                "accuracy": _rate(metrics, "accuracy"),
            }
        )
    gaps = [d for d in _dicts(result.get("disparities")) if d.get("flag") != "ok"]
    gaps.sort(key=lambda d: (d.get("flag") != "disparity", str(d.get("metric"))))
    disparity_rows = []
    for d in gaps[:MAX_ROWS]:
        ratio_ci = d.get("ratio_ci")
        ci = (
            _interval(ratio_ci[0], ratio_ci[1])
            if isinstance(ratio_ci, list) and len(ratio_ci) == 2
            else ""
        )
        disparity_rows.append(
            {
                "group": who(d.get("attributes")),
                "reference": who(d.get("reference")),
                "metric": str(d.get("metric", DASH)),
                "ratio": f"{_num(d.get('ratio'))} {ci}".strip(),
                "difference": _num(d.get("difference"), 3),
                "p": _p(d.get("p_adjusted")),
                "flag": str(d.get("flag", "")),
                "reason": str(d.get("reason", "")),
            }
        )
    config = result.get("config") if isinstance(result.get("config"), dict) else {}
    return {
        "facts": [
            (_("Rows"), _count(result.get("rows"))),
            (_("Rows used"), _count(result.get("rows_used"))),
            (_("Data"), str(result.get("source") or DASH)),
            (_("Outcome column"), str(config.get("label") or DASH)),
            (
                _("Decision or score column"),
                str(config.get("prediction") or config.get("score") or DASH),
            ),
            (
                _("Protected columns"),
                ", ".join(str(p) for p in config.get("protected") or []) or DASH,
            ),
        ],
        "groups": rows,
        "groups_total": len(groups),
        "disparities": disparity_rows,
        "disparities_total": len(gaps),
        "flagged": sum(1 for d in gaps if d.get("flag") == "disparity"),
    }


def _representativeness(result: dict) -> dict:
    groups = _dicts(result.get("groups"))
    rows = [
        {
            "group": str(g.get("group", DASH)),
            "n": _count(g.get("n")),
            "data_share": _pct(g.get("data_share")),
            "population_share": _pct(g.get("population_share")),
            "ratio": _num(g.get("ratio")),
            "flag": str(g.get("flag", "")),
        }
        for g in groups[:MAX_ROWS]
    ]
    return {
        "facts": [
            (_("Attribute"), str(result.get("attribute") or DASH)),
            (_("Rows"), _count(result.get("rows"))),
            (_("Data"), str(result.get("source") or DASH)),
        ],
        "groups": rows,
        "groups_total": len(groups),
    }


def _claim(result: dict) -> dict:
    entries = _dicts(result.get("groups"))
    overall = result.get("overall") if isinstance(result.get("overall"), dict) else None
    if overall is not None and overall not in entries:
        entries = [overall, *entries]
    rows = [
        {
            "group": who(g.get("attributes")),
            "value": _num(g.get("value"), 3),
            "ci": _interval(g.get("ci_low"), g.get("ci_high")),
            "verdict": str(g.get("verdict", DASH)),
        }
        for g in entries[:MAX_ROWS]
    ]
    return {
        "facts": [
            (_("Metric"), str(result.get("metric") or DASH)),
            (_("Claimed value"), _num(result.get("claimed"), 3)),
            (_("Data"), str(result.get("source") or DASH)),
        ],
        "groups": rows,
        "groups_total": len(entries),
    }


def summarise(result: Any) -> dict:
    if not isinstance(result, dict):
        return {"kind": Kind.OTHER, "findings": []}
    kind = kind_for(result.get("schema")) or Kind.OTHER
    if result.get("schema") == "ombuds.peer-review/1":
        kind = Kind.PEER_REVIEW
    out: dict[str, Any] = {"kind": kind, "findings": findings(result)}
    if kind == Kind.BIAS_AUDIT:
        out.update(_audit(result))
    elif kind == Kind.REPRESENTATIVENESS:
        out.update(_representativeness(result))
    elif kind == Kind.CLAIM:
        out.update(_claim(result))
    return out
