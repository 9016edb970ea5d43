"""The engine's commands: `ombuds audit`, `representativeness`, `verify-claim`, `drift`, `push`.

They need no database, no secret key and no environment variable, and work from any directory.
With --format json and no --out, standard output holds the JSON document alone; messages go to
standard error. Exit 0 when the command did its job (findings are data), 2 on bad usage or
input, 1 when --fail-on was met.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from .errors import AssuranceError

COMMANDS = {"audit", "representativeness", "verify-claim", "drift", "push", "aia"}


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _pair(text: str) -> tuple[str, str]:
    if "=" not in text:
        raise argparse.ArgumentTypeError(f"expected ATTR=VALUE, got '{text}'")
    k, v = text.split("=", 1)
    return k.strip(), v.strip()


def _range(text: str) -> tuple[str, tuple[float, float]]:
    col, spec = _pair(text)
    try:
        lo, hi = (float(x) for x in spec.split(":", 1))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected COL=MIN:MAX, got '{text}'") from None
    return col, (lo, hi)


def _common(p: argparse.ArgumentParser, formats=("json", "md", "html", "csv")) -> None:
    p.add_argument("data", help="CSV or Parquet file or glob, or a DuckDB file with --table")
    p.add_argument("--table", help="table name inside a DuckDB database file")
    p.add_argument("--format", choices=formats, default="json")
    p.add_argument("--out", help="write here instead of standard output")
    p.add_argument("--confidence", type=float, default=0.95)


def _outcome(p: argparse.ArgumentParser, score_metric: bool = True) -> None:
    p.add_argument("--label", required=True, help="the true outcome column")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--prediction", help="the system's binary decision column")
    group.add_argument("--score", help="the system's score column (with --threshold)")
    p.add_argument("--threshold", type=float, help="a row is predicted positive when score ≥ T")
    p.add_argument("--positive", help="the label value that means positive, if not 1/true/yes")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="ombuds")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    a = sub.add_parser("audit", help="bias audit of a decision log")
    _common(a)
    _outcome(a)
    a.add_argument(
        "--protected", action="append", required=True, help="protected attribute (repeat)"
    )
    a.add_argument("--reference", action="append", type=_pair, default=[], metavar="ATTR=GROUP")
    a.add_argument("--min-group-size", type=int, default=30)
    a.add_argument("--no-intersections", action="store_true")
    a.add_argument(
        "--intervention",
        choices=["punitive", "assistive"],
        help="what being flagged means for a person (sets which metrics matter most)",
    )
    a.add_argument("--no-auc", action="store_true", help="skip the AUC and calibration pass")
    a.add_argument("--fail-on", choices=["disparity"], help="exit 1 when a disparity is flagged")
    r = sub.add_parser(
        "representativeness", help="data against population shares, and data quality"
    )
    _common(r)
    r.add_argument("--attribute", required=True)
    r.add_argument("--benchmark", required=True, help="CSV with columns group and share (or count)")
    r.add_argument("--expect", action="append", type=_pair, default=[], metavar="COL=V1,V2,…")
    r.add_argument("--range", action="append", type=_range, default=[], metavar="COL=MIN:MAX")
    r.add_argument("--fail-on", choices=["under-representation"])
    c = sub.add_parser("verify-claim", help="check a vendor's performance claim on local data")
    _common(c)
    _outcome(c)
    c.add_argument("--metric", required=True, choices=["accuracy", "tpr", "fpr", "ppv", "auc"])
    c.add_argument("--claimed", required=True, type=float, help="the claimed value, e.g. 0.95")
    c.add_argument("--by", help="also check per group of this column")
    c.add_argument("--fail-on", choices=["refuted"])
    _drift_parser(sub)
    aia = sub.add_parser("aia", help="Canada's Algorithmic Impact Assessment")
    aia_sub = aia.add_subparsers(dest="aia_command", required=True, parser_class=_Parser)
    aia_score = aia_sub.add_parser(
        "score", help="score a results file saved by the official AIA tool"
    )
    aia_score.add_argument("results", help="the JSON file the AIA tool saved")
    aia_score.add_argument("--survey", help="the survey definition (default: the one Ombuds ships)")
    aia_score.add_argument("--format", choices=["json", "md"], default="json")
    aia_score.add_argument("--out")
    p = sub.add_parser("push", help="send an engine result to a running Ombuds for a system")
    p.add_argument("system_id", type=int)
    p.add_argument("result", help="a JSON result written by an engine command")
    p.add_argument("--url", default=os.environ.get("OMBUDS_URL"), help="server URL (or OMBUDS_URL)")
    p.add_argument(
        "--token", default=os.environ.get("OMBUDS_TOKEN"), help="API token (or OMBUDS_TOKEN)"
    )
    return parser


def _drift_parser(sub) -> None:
    d = sub.add_parser(
        "drift",
        help="data drift of a current table against a reference",
        description=(
            "Compare every column the two tables share (or --column COL …): PSI, "
            "Kolmogorov–Smirnov and Wasserstein for numbers; PSI, Jensen–Shannon distance and "
            "chi-square for categories. Drift found is a result: exit 0 (1 with --fail-on drift)."
        ),
    )
    d.add_argument(
        "reference",
        help="CSV or Parquet file or glob, a DuckDB file with --table, or a profile saved with "
        "--save-profile (.json)",
    )
    d.add_argument("current", help="CSV or Parquet file or glob, or a DuckDB file with --table")
    d.add_argument(
        "--column", action="extend", nargs="+", metavar="COL", help="compare only these columns"
    )
    d.add_argument(
        "--categorical",
        action="extend",
        nargs="+",
        metavar="COL",
        help="compare these numeric columns as categories (codes, small counts)",
    )
    d.add_argument("--table", help="table name inside a DuckDB database file")
    d.add_argument("--current-table", help="table in the current DuckDB file (default: --table)")
    d.add_argument("--format", choices=["json", "md", "html", "csv"], default="json")
    d.add_argument("--out", help="write here instead of standard output")
    d.add_argument(
        "--bins", type=int, help="reference-quantile bins for KS and Wasserstein (default 100)"
    )
    d.add_argument("--psi-bins", type=int, help="reference-quantile bins for PSI (default 10)")
    d.add_argument(
        "--max-categories",
        type=int,
        help="categories kept per column; rarer ones are pooled (default 200)",
    )
    d.add_argument("--psi-threshold", type=float, default=0.2, help="drifted when PSI ≥ this")
    d.add_argument("--alpha", type=float, default=0.05, help="level for adjusted p-values")
    d.add_argument("--ks-threshold", type=float, default=0.1, help="smallest KS that matters")
    d.add_argument("--js-threshold", type=float, default=0.1, help="smallest JS that matters")
    d.add_argument("--save-profile", metavar="FILE", help="also save the reference profile here")
    d.add_argument("--fail-on", choices=["drift"], help="exit 1 when a column drifted")


def _write(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    target = Path(out)
    fd, tmp = tempfile.mkstemp(dir=target.parent if str(target.parent) else ".", prefix=".ombuds-")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, target)
    print(f"wrote {target}", file=sys.stderr)


def run(args) -> int:
    from . import report

    if args.command == "audit":
        from .audit import audit

        doc = audit(
            args.data,
            label=args.label,
            prediction=args.prediction,
            score=args.score,
            threshold=args.threshold,
            positive=args.positive,
            protected=args.protected,
            reference=dict(args.reference),
            min_group_size=args.min_group_size,
            confidence=args.confidence,
            intersections=not args.no_intersections,
            intervention=args.intervention,
            table=args.table,
            auc=not args.no_auc,
        )
        failed = args.fail_on == "disparity" and any(
            d["flag"] == "disparity" for d in doc["disparities"]
        )
    elif args.command == "representativeness":
        from .representativeness import representativeness

        expect = {k: [x.strip() for x in v.split(",")] for k, v in args.expect}
        doc = representativeness(
            args.data,
            attribute=args.attribute,
            benchmark=args.benchmark,
            confidence=args.confidence,
            expect=expect,
            ranges=dict(args.range),
            table=args.table,
        )
        failed = args.fail_on == "under-representation" and any(
            g["flag"] == "under-represented" for g in doc["groups"]
        )
    elif args.command == "verify-claim":
        from .claims import verify_claim

        doc = verify_claim(
            args.data,
            label=args.label,
            prediction=args.prediction,
            score=args.score,
            threshold=args.threshold,
            positive=args.positive,
            metric=args.metric,
            claimed=args.claimed,
            by=args.by,
            confidence=args.confidence,
            table=args.table,
        )
        failed = (
            args.fail_on == "refuted" and doc["overall"] and doc["overall"]["verdict"] == "refuted"
        )
    elif args.command == "drift":
        doc = drift_command(args)
        failed = args.fail_on == "drift" and doc["drifted_columns"] > 0
    elif args.command == "aia":
        return aia_score(args)
    else:
        return push(args)
    from ombuds import __version__

    from .data import fingerprint

    doc.setdefault("engine_version", __version__)
    if "data_fingerprint" not in doc:
        doc["data_fingerprint"] = fingerprint(args.data)
    _write(report.render(doc, args.format), args.out)
    return 1 if failed else 0


def drift_command(args) -> dict:
    """`ombuds drift`: the reference is a data file or a saved profile; the document carries the
    fingerprints of both (the current data's as `data_fingerprint`)."""
    from .data import fingerprint
    from .drift import (
        DEFAULT_BINS,
        DEFAULT_MAX_CATEGORIES,
        DEFAULT_PSI_BINS,
        drift_and_profile,
        is_profile,
    )
    from .report import to_json

    rule = {
        "psi": args.psi_threshold,
        "alpha": args.alpha,
        "ks": args.ks_threshold,
        "js": args.js_threshold,
    }
    if is_profile(args.reference):
        fixed = [
            flag
            for flag, value in [
                ("--bins", args.bins),
                ("--psi-bins", args.psi_bins),
                ("--max-categories", args.max_categories),
                ("--categorical", args.categorical),
                ("--save-profile", args.save_profile),
            ]
            if value is not None
        ]
        if fixed:
            raise AssuranceError(
                f"{', '.join(fixed)}: fixed by the saved profile {args.reference}; make a new "
                "profile from the reference data to change them"
            )
    doc, profile = drift_and_profile(
        args.reference,
        args.current,
        args.column,
        categorical=args.categorical,
        bins=DEFAULT_BINS if args.bins is None else args.bins,
        psi_bins=DEFAULT_PSI_BINS if args.psi_bins is None else args.psi_bins,
        max_categories=(
            DEFAULT_MAX_CATEGORIES if args.max_categories is None else args.max_categories
        ),
        rule=rule,
        table=args.table,
        current_table=args.current_table,
    )
    if is_profile(args.reference):
        reference_fingerprint = profile.get("data_fingerprint")
    else:
        reference_fingerprint = fingerprint(args.reference)
        if args.save_profile:
            profile["data_fingerprint"] = reference_fingerprint
            _write(to_json(profile), args.save_profile)
    doc["data_fingerprint"] = fingerprint(args.current)
    doc["reference_fingerprint"] = reference_fingerprint
    return doc


def aia_score(args) -> int:
    from . import aia
    from .report import to_json

    try:
        results = json.loads(Path(args.results).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssuranceError(f"file not found: {args.results}") from None
    except ValueError as exc:
        raise AssuranceError(f"{args.results} is not JSON: {exc}") from None
    doc = aia.score(results, aia.load_survey(args.survey))
    for item in doc["unknown"]:
        value = f" = {item['value']!r}" if "value" in item else ""
        print(
            f"ombuds aia score: not scored: {item['question']}{value} ({item['reason']})",
            file=sys.stderr,
        )
    if args.format == "json":
        text = to_json(doc)
    else:
        text = (
            f"# Algorithmic Impact Assessment\n\nImpact level **{doc['level']}** — score "
            f"{doc['total']} of {doc['max_raw']} (raw {doc['raw']}, mitigation {doc['mitigation']} "
            f"of {doc['max_mitigation']}"
            + ("; 15 % mitigation reduction applied" if doc["mitigation_reduction_applied"] else "")
            + ").\n"
        )
    _write(text, args.out)
    return 0


def push(args) -> int:
    if not args.url:
        raise AssuranceError("give --url or set OMBUDS_URL")
    if not args.token:
        raise AssuranceError("give --token or set OMBUDS_TOKEN")
    try:
        document = json.loads(Path(args.result).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AssuranceError(f"file not found: {args.result}") from None
    except ValueError as exc:
        raise AssuranceError(f"{args.result} is not JSON: {exc}") from None
    if not isinstance(document, dict) or "schema" not in document:
        raise AssuranceError(f"{args.result} is not an Ombuds engine result (no 'schema' key)")
    base = args.url.rstrip("/")
    path = f"/api/v1/systems/{args.system_id}/evaluations"
    try:
        with urllib.request.urlopen(base + "/api/v1/openapi.json", timeout=30) as resp:
            schema = json.loads(resp.read())
    except (urllib.error.URLError, ValueError, OSError) as exc:
        raise AssuranceError(
            f"cannot reach Ombuds at {base}: {getattr(exc, 'reason', exc)}"
        ) from None
    if "/api/v1/systems/{system_id}/evaluations" not in schema.get("paths", {}):
        raise AssuranceError(
            f"the server at {base} does not accept evaluations yet (this Ombuds "
            "version has no evaluations endpoint); keep the file and push it later"
        )
    request = urllib.request.Request(
        base + path,
        data=json.dumps({"result": document}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {args.token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            answer = json.loads(resp.read() or b"{}")
    except urllib.error.HTTPError as exc:
        try:
            detail = json.loads(exc.read()).get("detail", "")
        except ValueError:
            detail = ""
        raise AssuranceError(f"the server refused the result ({exc.code}): {detail}") from None
    print(json.dumps(answer))
    return 0


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except AssuranceError as exc:
        print(f"ombuds {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # no traceback for a user; OMBUDS_TRACEBACK=1 shows it
        if os.environ.get("OMBUDS_TRACEBACK"):
            raise
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        print(f"ombuds {args.command}: failed: {type(exc).__name__}: {first}", file=sys.stderr)
        return 2
