"""Data drift between a reference table and a current one, from histograms the engine counts.

Nothing here sorts or loads the rows. A numeric column is counted on a fine grid of equal-width
cells (one `floor` per value, a GROUP BY per column, all columns in one query); the reference's
quantile bins are runs of those cells, so the reference and the current table fall into exactly
the same bins, and PSI, KS and Wasserstein are computed on the bin counts. A value repeated in
more than 1/bins of the reference (a code, a count, a default) gets a bin of its own. A
categorical column is counted per value. The reference's bins and counts form a profile that can
be stored once (`reference_profile`) and compared with each new window (`drift_from_profile`).

Grid: 10,000 cells over the reference's range. When the reference's central mass (between its
first and last quantile bin edges) covers fewer than a tenth of the cells — a long tail or an
outlier stretching the range — the grid zooms onto that central range and counts again (values
outside it fall in the two end cells, which belong to the first and last bins). The binned KS
statistic is never above the exact one and at most `ks_error_bound` below it: within a bin each
CDF moves by at most the bin's share, so the bound is the largest over bins of the smaller of
the two shares.
"""

from __future__ import annotations

import html
import io
import math
from dataclasses import asdict, dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np

from . import stats
from .data import Source, load
from .errors import AssuranceError

SCHEMA = "ombuds.drift/1"
PROFILE_SCHEMA = "ombuds.drift-profile/1"
DEFAULT_BINS = 100
DEFAULT_PSI_BINS = 10
DEFAULT_MAX_CATEGORIES = 200
PSI_EPSILON = 1e-4
GRID_CELLS = 10_000
MAX_ZOOMS = 4
MISSING_CELL = -2  # the cell key of a missing value (NULL, or NaN in a float column)
CATEGORY_ROW = -3  # the cell key of a categorical column's rows in the union query
OTHER = "\x00ombuds:other"  # stands for every category the reference profile does not list


@dataclass(frozen=True)
class DriftRule:
    """When a column has drifted: PSI at or above `psi`, or the test's Holm-adjusted p-value
    below `alpha` with an effect that is not negligible (KS statistic at or above `ks` for a
    numeric column, Jensen–Shannon distance at or above `js` for a categorical one)."""

    psi: float = 0.2
    alpha: float = 0.05
    ks: float = 0.1
    js: float = 0.1

    @classmethod
    def of(cls, rule: DriftRule | dict | None) -> DriftRule:
        if rule is None:
            out = cls()
        elif isinstance(rule, DriftRule):
            out = rule
        else:
            unknown = set(rule) - {"psi", "alpha", "ks", "js"}
            if unknown:
                raise AssuranceError(
                    f"unknown drift rule setting(s): {', '.join(sorted(unknown))}; "
                    "the rule has psi, alpha, ks and js"
                )
            try:
                out = cls(**{k: float(v) for k, v in rule.items()})
            except (TypeError, ValueError):
                raise AssuranceError(
                    f"drift rule: every setting is a number (got {rule})"
                ) from None
        for name in ("psi", "ks", "js"):
            if not getattr(out, name) >= 0:
                raise AssuranceError(f"drift rule: {name} must be 0 or more")
        if not 0 < out.alpha < 1:
            raise AssuranceError(f"drift rule: alpha must be between 0 and 1 (got {out.alpha})")
        return out

    def reasons(
        self, kind: str, psi: float | None, effect: float | None, p_adjusted: float | None
    ) -> list[str]:
        """Why a column counts as drifted; empty when it does not."""
        out = []
        if psi is not None and psi >= self.psi:
            out.append(f"PSI {psi:.3g} ≥ {self.psi:g}")
        threshold, name = (self.ks, "KS") if kind == "numeric" else (self.js, "JS distance")
        if (
            p_adjusted is not None
            and effect is not None
            and p_adjusted < self.alpha
            and effect >= threshold
        ):
            out.append(
                f"{name} {effect:.3g} ≥ {threshold:g}, adjusted p {_p(p_adjusted)} "
                f"(below {self.alpha:g})"
            )
        return out


# --- columns ---------------------------------------------------------------------------------


def _kind(dtype, categorical: bool) -> str | None:
    if categorical or dtype.is_boolean() or dtype.is_string():
        return "categorical"
    if dtype.is_numeric():
        return "numeric"
    return None


def _describe(dtype) -> str:
    if dtype.is_numeric():
        return f"numeric ({dtype})"
    if dtype.is_string():
        return "text"
    return str(dtype)


def _as_list(columns: list[str] | str | None) -> list[str] | None:
    if columns is None:
        return None
    names = [columns] if isinstance(columns, str) else list(columns)
    return list(dict.fromkeys(names))  # drop repeats, keep the order


def _missing(name: str, src: Source, where: str) -> AssuranceError:
    shown = ", ".join(src.columns[:60]) + (" …" if len(src.columns) > 60 else "")
    return AssuranceError(
        f"column '{name}' is not in the {where} data; its columns are: {shown or '(none)'}"
    )


def _plan(
    ref: Source, cur: Source | None, columns: list[str] | None, categorical: list[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Which columns to compare and how: [(name, "numeric"|"categorical")], with notes."""
    notes: list[str] = []
    for name in categorical:
        if name not in ref.table.columns:
            raise _missing(name, ref, "reference")
        if columns is not None and name not in columns:
            raise AssuranceError(f"--categorical {name}: the column is not one of the --column")
    if columns is not None:
        if not columns:
            raise AssuranceError("give at least one column to compare")
        for name in columns:
            if name not in ref.table.columns:
                raise _missing(name, ref, "reference")
            if cur is not None and name not in cur.table.columns:
                raise _missing(name, cur, "current")
        names = columns
    else:
        names = list(ref.table.columns)
        if cur is not None:
            only_ref = [c for c in names if c not in cur.table.columns]
            only_cur = [c for c in cur.table.columns if c not in ref.table.columns]
            if only_ref:
                notes.append("only in the reference, not compared: " + ", ".join(only_ref))
            if only_cur:
                notes.append("only in the current data, not compared: " + ", ".join(only_cur))
            names = [c for c in names if c in cur.table.columns]
    plan = []
    for name in names:
        dtype = ref.table[name].type()
        kind = _kind(dtype, name in categorical)
        if kind is None:
            if columns is not None:
                raise AssuranceError(
                    f"column '{name}' has type {dtype}: drift compares numbers, text and "
                    f"booleans (give --categorical {name} to compare its values as categories)"
                )
            notes.append(f"column '{name}' has type {dtype} and is not compared")
            continue
        if cur is not None:
            _check_current(name, kind, dtype, cur, notes)
        plan.append((name, kind))
    if not plan:
        raise AssuranceError(
            "no column to compare: the two tables share no number, text or boolean column"
        )
    return plan, notes


def _check_current(name: str, kind: str, ref_type, cur: Source, notes: list[str]) -> None:
    cur_type = cur.table[name].type()
    if kind == "numeric" and not cur_type.is_numeric():
        if cur.table.count().to_pyarrow().as_py() == 0:  # an empty CSV has only text columns
            raise AssuranceError("the current data has no rows")
        raise AssuranceError(
            f"column '{name}' is {_describe(ref_type)} in the reference but "
            f"{_describe(cur_type)} in the current data: fix the type, or compare its values as "
            f"categories (--categorical {name})"
        )
    if kind == "categorical" and _plain(ref_type) != _plain(cur_type):
        notes.append(
            f"column '{name}' is {ref_type} in the reference and {cur_type} in the current "
            "data; values are compared as text"
        )


# --- queries ---------------------------------------------------------------------------------


def _plain(dtype) -> str:
    return str(dtype.copy(nullable=True))


def _number(col: ir.Column) -> ir.Value:
    """The column as float64, with NaN read as missing."""
    y = col.cast("float64")
    return y.nullif(float("nan")) if col.type().is_floating() else y


def _text(col: ir.Column) -> ir.Value:
    return col if col.type().is_string() else col.cast("string")


@dataclass
class Grid:
    """Cell of a value x: floor((x − lo)·scale) clamped to −1 … cells (−1: below lo; cells: at
    or above the grid's top). Array index = cell + 1."""

    lo: float
    scale: float
    cells: int

    def expr(self, y: ir.Value) -> ir.Value:
        z = (y - self.lo) * self.scale
        clamped = ibis.greatest(ibis.least(z, float(self.cells)), -1.0)
        return ibis.ifelse(y.isnull(), MISSING_CELL, clamped.floor().cast("int64"))

    def boundary(self, index: int) -> float:
        """The value where the cell at array index `index` ends."""
        return self.lo + index / self.scale


def _grid(lo: float, hi: float, cells: int = GRID_CELLS) -> Grid:
    # Values closer than a 10⁻¹² part of their size share a cell (the scale stays finite); a
    # constant gets a tiny span: cell 0 holds that value, −1 and `cells` anything else.
    span = max(hi - lo, max(abs(lo), abs(hi), 1.0) * 1e-12)
    if not math.isfinite(span):  # a range wider than the largest float
        return Grid(float(lo), (cells / 2) / (hi / 2 - lo / 2), cells)
    return Grid(float(lo), cells / span, cells)


_NULL_F = ibis.null("float64")


def _numeric_branch(
    t: ir.Table, i: int, name: str, grid: Grid | None, mean: float | None, ranges: bool
):
    """Counts and sums per cell; with `ranges` each cell's smallest and largest value, with
    `mean` Σ(x − mean)² (the reference's passes need them, the current one does not)."""
    y = _number(t[name])
    cell = grid.expr(y) if grid else ibis.ifelse(y.isnull(), MISSING_CELL, 0)
    m = t.select(c=ibis.literal(i, "int32"), k=cell.cast("int64"), v=ibis.null("string"), y=y)
    return m.group_by(["c", "k", "v"]).aggregate(
        n=m.count(),
        s=m.y.sum(),
        lo=m.y.min() if ranges else _NULL_F,
        hi=m.y.max() if ranges else _NULL_F,
        ss=((m.y - mean) ** 2).sum() if mean is not None else _NULL_F,
    )


def _category_branch(t: ir.Table, i: int, name: str, top: int | None, known: list[str] | None):
    s = _text(t[name])
    if known is not None:  # fold values the profile does not list into one bucket, in the engine
        folded = ibis.ifelse(s.isnull(), ibis.null("string"), OTHER)
        s = ibis.ifelse(s.isin(known), s, folded) if known else folded
    m = t.select(c=ibis.literal(i, "int32"), k=ibis.literal(CATEGORY_ROW, "int64"), v=s)
    if top is not None:
        m = m.filter(m.v.notnull())
    agg = m.group_by(["c", "k", "v"]).aggregate(
        n=m.count(), s=_NULL_F, lo=_NULL_F, hi=_NULL_F, ss=_NULL_F
    )
    if top is not None:
        agg = agg.order_by([ibis.desc("n"), "v"]).limit(top)
    return agg


def _run(branches: list) -> dict[str, Any]:
    """Run the union of per-column aggregations as one query; columns as numpy arrays."""
    expr = branches[0] if len(branches) == 1 else ibis.union(*branches)
    table = expr.to_pyarrow()
    order = np.argsort(table.column("c").to_numpy(zero_copy_only=False), kind="stable")
    table = table.take(order)
    out: dict[str, Any] = {}
    for name in ("c", "k", "n"):
        out[name] = table.column(name).to_numpy(zero_copy_only=False).astype(np.int64)
    for name in ("s", "lo", "hi", "ss"):
        out[name] = table.column(name).to_numpy(zero_copy_only=False).astype(float)
    out["v"] = table.column("v").to_pylist()
    return out


def _rows(res: dict[str, Any], i: int) -> slice:
    """The result rows of the i-th column (the rows are sorted by column)."""
    lo, hi = np.searchsorted(res["c"], [i, i + 1])
    return slice(int(lo), int(hi))


@dataclass
class _Cells:
    """One numeric column's counts per cell (array index = cell + 1) and the missing count."""

    counts: np.ndarray
    sums: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    ss: float
    missing: int


def _numeric_cells(res: dict[str, Any], i: int, cells: int) -> _Cells:
    rows = _rows(res, i)
    k, n = res["k"][rows], res["n"][rows]
    present = k >= -1
    idx = k[present] + 1
    size = cells + 2
    counts = np.bincount(idx, weights=n[present], minlength=size).astype(np.int64)
    s = res["s"][rows][present]  # NaN where the query sent no sum; ±inf is kept (and detected)
    sums = np.bincount(idx, weights=np.where(np.isnan(s), 0.0, s), minlength=size)
    lo = np.full(size, np.inf)
    hi = np.full(size, -np.inf)
    np.fmin.at(lo, idx, res["lo"][rows][present])  # fmin/fmax: the current pass sends no ranges
    np.fmax.at(hi, idx, res["hi"][rows][present])
    ss = float(np.nansum(res["ss"][rows]))
    return _Cells(counts, sums, lo, hi, ss, int(n[~present].sum()))


def _boundaries(counts: np.ndarray, parts: int, single: np.ndarray | None = None) -> list[int]:
    """Array indices after which a quantile bin ends: for p = 1/parts … (parts−1)/parts, the
    first cell where the cumulative count reaches p·total (repeats merged).

    `single` marks the cells whose values are all equal: such a cell holding more than 1/parts of
    the values (a repeated value: a code, a count, a default) becomes a bin of its own, so that
    current values falling between two such values are not counted with either — the binned KS
    then sees gaps a coarser bin would hide.
    """
    cum = np.cumsum(counts)
    total = cum[-1]
    targets = np.arange(1, parts) / parts * total
    last = len(cum) - 1
    out = {int(f) for f in np.searchsorted(cum, targets, side="left") if f < last}
    if single is not None:
        for heavy in np.nonzero((counts > total / parts) & single)[0].tolist():
            out |= {h for h in (heavy - 1, heavy) if 0 <= h < last}
    return sorted(out)


def _needs_zoom(cells: _Cells, bins: int, grid: Grid) -> Grid | None:
    """A narrower grid when the central mass of the reference sits in too few cells."""
    total = int(cells.counts.sum())
    if total == 0:
        return None
    cum = np.cumsum(cells.counts)
    first = int(np.searchsorted(cum, total / bins, side="left"))
    last = int(np.searchsorted(cum, total * (bins - 1) / bins, side="left"))
    if last - first + 1 >= grid.cells // 10:
        return None
    lo, hi = float(cells.lo[first]), float(cells.hi[last])
    if not (math.isfinite(lo) and math.isfinite(hi)) or not hi > lo:
        return None  # a single repeated value: nothing finer to find
    zoomed = _grid(lo, hi, grid.cells)
    if zoomed.scale <= grid.scale * 2:
        return None
    return zoomed


# --- the reference profile -----------------------------------------------------------------


def _source(data: Any, table: str | None) -> Source:
    return data if isinstance(data, Source) else load(data, table=table)


def reference_profile(
    reference: Any,
    columns: list[str] | str | None = None,
    *,
    categorical: list[str] | str | None = None,
    bins: int = DEFAULT_BINS,
    psi_bins: int = DEFAULT_PSI_BINS,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    table: str | None = None,
) -> dict:
    """The reference's bins and counts per column, as a JSON-able `ombuds.drift-profile/1`
    document: store it once and compare every new window with `drift_from_profile`."""
    _check_settings(bins, psi_bins, max_categories)
    src = _source(reference, table)
    plan, notes = _plan(src, None, _as_list(columns), _as_list(categorical) or [])
    return _profile(src, plan, notes, bins, psi_bins, max_categories)


def _check_settings(bins: int, psi_bins: int, max_categories: int) -> None:
    if not 2 <= bins <= 1000:
        raise AssuranceError(f"--bins must be between 2 and 1000 (got {bins})")
    if not 2 <= psi_bins <= bins:
        raise AssuranceError(f"--psi-bins must be between 2 and --bins ({bins}) (got {psi_bins})")
    if max_categories < 1:
        raise AssuranceError("--max-categories must be at least 1")


def _profile(
    src: Source,
    plan: list[tuple[str, str]],
    notes: list[str],
    bins: int,
    psi_bins: int,
    max_categories: int,
) -> dict:
    t = src.table
    # Pass 1: rows, and per numeric column its count, range and sum.
    aggs: dict[str, Any] = {"__n": t.count()}
    for i, (name, kind) in enumerate(plan):
        if kind == "numeric":
            y = _number(t[name])
            aggs.update({f"k{i}": y.count(), f"a{i}": y.min(), f"b{i}": y.max(), f"s{i}": y.sum()})
        else:
            aggs[f"k{i}"] = t[name].count()
    first = {k: v[0] for k, v in t.aggregate(**aggs).to_pyarrow().to_pydict().items()}
    rows = int(first["__n"] or 0)
    if rows == 0:
        raise AssuranceError("the reference data has no rows")

    # Infinite values (rare) fall in the end bins; the grid spans the finite ones.
    infinite = [
        i
        for i, (_n, kind) in enumerate(plan)
        if kind == "numeric"
        and first[f"k{i}"]
        and not (math.isfinite(first[f"a{i}"]) and math.isfinite(first[f"b{i}"]))
    ]
    if infinite:
        finite: dict[str, Any] = {}
        for i in infinite:
            y = _number(t[plan[i][0]])
            finite.update(
                {
                    f"a{i}": y.min(where=~y.isinf()),
                    f"b{i}": y.max(where=~y.isinf()),
                    f"inf{i}": y.isinf().sum(),
                }
            )
        first.update({k: v[0] for k, v in t.aggregate(**finite).to_pyarrow().to_pydict().items()})

    # Pass 2: numeric columns on a grid over their range, categorical columns' commonest values.
    grids: dict[int, Grid] = {}
    means: dict[int, float] = {}
    branches = []
    for i, (name, kind) in enumerate(plan):
        if kind == "numeric":
            count = int(first[f"k{i}"] or 0)
            if count:
                lo, hi = first[f"a{i}"], first[f"b{i}"]
                grids[i] = _grid(0.0, 0.0) if lo is None else _grid(float(lo), float(hi))
                means[i] = float(first[f"s{i}"]) / count
            mean = means.get(i) if i not in infinite else None
            branches.append(_numeric_branch(t, i, name, grids.get(i), mean, True))
        else:
            branches.append(_category_branch(t, i, name, max_categories + 1, None))
    res = _run(branches)
    cells = {i: _numeric_cells(res, i, g.cells) for i, g in grids.items()}
    sq = {i: c.ss for i, c in cells.items()}  # Σ(x − mean)² over every value: two-pass variance

    # Zoom where a long tail or an outlier left the central mass in too few cells.
    for _round in range(MAX_ZOOMS):
        zoom = {i: z for i, g in grids.items() if (z := _needs_zoom(cells[i], bins, g))}
        if not zoom:
            break
        res_z = _run([_numeric_branch(t, i, plan[i][0], z, None, True) for i, z in zoom.items()])
        for i, z in zoom.items():
            grids[i] = z
            cells[i] = _numeric_cells(res_z, i, z.cells)

    columns = []
    for i, (name, kind) in enumerate(plan):
        dtype = _plain(t[name].type())
        if kind == "numeric":
            count = int(first[f"k{i}"] or 0)
            entry: dict[str, Any] = {
                "column": name,
                "kind": kind,
                "dtype": dtype,
                "count": count,
                "missing": rows - count,
            }
            if i in grids:
                entry.update(_numeric_profile(cells[i], grids[i], bins, psi_bins))
                if i in infinite:
                    entry.update(mean=None, std=None, infinite=int(first[f"inf{i}"]))
                    notes.append(
                        f"column '{name}' has {entry['infinite']:,} infinite values in the "
                        "reference: they are counted in the end bins; no Wasserstein distance"
                    )
                else:
                    entry["mean"] = means[i]
                    entry["std"] = math.sqrt(sq[i] / count)
                entry["min"] = _finite(first[f"a{i}"])
                entry["max"] = _finite(first[f"b{i}"])
            else:
                entry.update(
                    grid=None,
                    boundaries=[],
                    psi_boundaries=[],
                    edges=[],
                    psi_edges=[],
                    counts=[0],
                    means=[None],
                    psi_counts=[0],
                    mean=None,
                    std=None,
                    min=None,
                    max=None,
                )
                notes.append(f"column '{name}' has no values in the reference")
            columns.append(entry)
        else:
            count = int(first[f"k{i}"] or 0)
            rows_i = _rows(res, i)
            values = res["v"][rows_i]
            counts = res["n"][rows_i]
            pooled = len(values) > max_categories
            kept = list(zip(values, counts.tolist(), strict=True))[:max_categories]
            other = count - sum(n for _v, n in kept)
            if pooled:
                notes.append(
                    f"column '{name}' has more than {max_categories} distinct values in the "
                    f"reference; the rarer ones ({other:,} rows) are pooled as one category"
                )
            columns.append(
                {
                    "column": name,
                    "kind": kind,
                    "dtype": dtype,
                    "count": count,
                    "missing": rows - count,
                    "categories": [v for v, _n in kept],
                    "counts": [int(n) for _v, n in kept],
                    "other": int(other),
                    "pooled": pooled,
                }
            )
    from ombuds import __version__

    return {
        "schema": PROFILE_SCHEMA,
        "rows": rows,
        "source": src.description,
        "notes": list(src.notes) + notes,
        "config": {
            "bins": bins,
            "psi_bins": psi_bins,
            "max_categories": max_categories,
            "grid_cells": GRID_CELLS,
        },
        "columns": columns,
        "engine_version": __version__,
    }


def _finite(value: Any) -> float | None:
    """JSON has no NaN or infinity: those are stored as null."""
    return float(value) if value is not None and math.isfinite(value) else None


def _numeric_profile(cells: _Cells, grid: Grid, bins: int, psi_bins: int) -> dict:
    fine = _boundaries(cells.counts, bins, single=cells.lo == cells.hi)
    coarse = _boundaries(cells.counts, psi_bins)
    counts = _to_bins(cells.counts, fine)
    sums = _to_bins(cells.sums, fine)
    bin_means = [_finite(s / n) if n else None for s, n in zip(sums, counts, strict=True)]
    return {
        "grid": asdict(grid),
        "boundaries": fine,
        "psi_boundaries": coarse,
        "edges": [grid.boundary(b) for b in fine],
        "psi_edges": [grid.boundary(b) for b in coarse],
        "counts": [int(n) for n in counts],
        "means": bin_means,
        "psi_counts": [int(n) for n in _to_bins(cells.counts, coarse)],
    }


def _to_bins(per_cell: np.ndarray, boundaries: list[int]) -> np.ndarray:
    """Sum per-cell values into the bins that end at `boundaries` (array indices)."""
    which = np.searchsorted(np.asarray(boundaries, dtype=np.int64), np.arange(len(per_cell)))
    return np.bincount(which, weights=per_cell, minlength=len(boundaries) + 1)


# --- comparing ---------------------------------------------------------------------------------


def load_profile(profile: Any) -> dict:
    """A profile given as a dict or as the path of the JSON file it was saved in."""
    if isinstance(profile, dict):
        doc = profile
    else:
        import json
        from pathlib import Path

        path = Path(profile)
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise AssuranceError(f"file not found: {path}") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise AssuranceError(f"{path} is not JSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("schema") != PROFILE_SCHEMA:
        found = doc.get("schema") if isinstance(doc, dict) else type(doc).__name__
        raise AssuranceError(
            f"not a drift profile: expected schema '{PROFILE_SCHEMA}', found '{found}'"
        )
    return doc


def is_profile(data: Any) -> bool:
    if isinstance(data, dict):
        return data.get("schema") == PROFILE_SCHEMA
    return isinstance(data, str) and data.lower().endswith(".json")


def drift_from_profile(
    profile: Any,
    current: Any,
    *,
    columns: list[str] | str | None = None,
    rule: DriftRule | dict | None = None,
    table: str | None = None,
    psi_epsilon: float = PSI_EPSILON,
) -> dict:
    """Compare a current table with a stored reference profile: the `ombuds.drift/1` document."""
    prof = load_profile(profile)
    the_rule = DriftRule.of(rule)
    cur = _source(current, table)
    wanted = _as_list(columns)
    by_name = {c["column"]: c for c in prof["columns"]}
    if wanted is not None:
        for name in wanted:
            if name not in by_name:
                raise AssuranceError(
                    f"column '{name}' is not in the reference profile; profiled columns: "
                    + ", ".join(by_name)
                )
        entries = [by_name[n] for n in wanted]
    else:
        entries = list(prof["columns"])
    notes: list[str] = list(prof.get("notes", []))
    for entry in entries:
        if entry["column"] not in cur.table.columns:
            raise _missing(entry["column"], cur, "current")
        ref_type = ibis.dtype(entry["dtype"])
        _check_current(entry["column"], entry["kind"], ref_type, cur, notes)
    return _compare(prof, entries, cur, the_rule, psi_epsilon, notes)


def drift(
    reference: Any,
    current: Any,
    columns: list[str] | str | None = None,
    *,
    categorical: list[str] | str | None = None,
    bins: int = DEFAULT_BINS,
    psi_bins: int = DEFAULT_PSI_BINS,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    rule: DriftRule | dict | None = None,
    table: str | None = None,
    current_table: str | None = None,
    psi_epsilon: float = PSI_EPSILON,
) -> dict:
    """Drift of every shared column (or `columns`) from `reference` to `current`: the
    `ombuds.drift/1` document. Either side may be anything `load` reads; `reference` may also
    be a stored profile (a dict or a .json path)."""
    return drift_and_profile(
        reference,
        current,
        columns,
        categorical=categorical,
        bins=bins,
        psi_bins=psi_bins,
        max_categories=max_categories,
        rule=rule,
        table=table,
        current_table=current_table,
        psi_epsilon=psi_epsilon,
    )[0]


def drift_and_profile(
    reference: Any,
    current: Any,
    columns: list[str] | str | None = None,
    *,
    categorical: list[str] | str | None = None,
    bins: int = DEFAULT_BINS,
    psi_bins: int = DEFAULT_PSI_BINS,
    max_categories: int = DEFAULT_MAX_CATEGORIES,
    rule: DriftRule | dict | None = None,
    table: str | None = None,
    current_table: str | None = None,
    psi_epsilon: float = PSI_EPSILON,
) -> tuple[dict, dict]:
    """`drift`, and the reference profile it used (to store it for the next window)."""
    if is_profile(reference):
        prof = load_profile(reference)
        doc = drift_from_profile(
            prof,
            current,
            columns=columns,
            rule=rule,
            table=current_table or table,
            psi_epsilon=psi_epsilon,
        )
        return doc, prof
    the_rule = DriftRule.of(rule)
    _check_settings(bins, psi_bins, max_categories)
    ref = _source(reference, table)
    cur = _source(current, current_table or table)
    plan, notes = _plan(ref, cur, _as_list(columns), _as_list(categorical) or [])
    prof = _profile(ref, plan, [], bins, psi_bins, max_categories)
    doc = _compare(prof, prof["columns"], cur, the_rule, psi_epsilon, notes + prof["notes"])
    return doc, prof


def _compare(
    prof: dict,
    entries: list[dict],
    cur: Source,
    rule: DriftRule,
    eps: float,
    notes: list[str],
) -> dict:
    if not entries:
        raise AssuranceError("give at least one column to compare")
    if not 0 < eps <= 0.01:
        raise AssuranceError(f"psi_epsilon must be above 0 and at most 0.01 (got {eps})")
    t = cur.table
    branches = []
    for i, entry in enumerate(entries):
        name = entry["column"]
        if entry["kind"] == "numeric":
            grid = Grid(**entry["grid"]) if entry["grid"] else None
            branches.append(_numeric_branch(t, i, name, grid, None, False))
        else:
            # A reference with more values than the profile keeps: fold the rest in the engine so
            # that an identifier-like column does not send every value back.
            known = entry["categories"] if entry["pooled"] else None
            branches.append(_category_branch(t, i, name, None, known))
    res = _run(branches)
    current_rows = int(res["n"][_rows(res, 0)].sum())
    if current_rows == 0:
        raise AssuranceError("the current data has no rows")

    docs = []
    for i, entry in enumerate(entries):
        if entry["kind"] == "numeric":
            docs.append(_numeric_drift(entry, res, i, eps))
        else:
            docs.append(_categorical_drift(entry, res, i, eps))
    p_values = [d.pop("_p") for d in docs]
    adjusted = stats.holm([math.nan if p is None else p for p in p_values])
    for d, q in zip(docs, adjusted, strict=True):
        d["p_adjusted"] = None if math.isnan(q) else q
        effect = d["ks"] if d["kind"] == "numeric" else d["js"]
        d["reasons"] = rule.reasons(d["kind"], d["psi"], effect, d["p_adjusted"])
        d["drifted"] = bool(d["reasons"])
    drifted = sum(d["drifted"] for d in docs)
    doc = {
        "schema": SCHEMA,
        "reference_rows": prof["rows"],
        "current_rows": current_rows,
        "columns": docs,
        "drift_share": drifted / len(docs),
        "drifted_columns": drifted,
        "config": {
            **prof["config"],
            "psi_epsilon": eps,
            "p_adjustment": "holm",
            "rule": asdict(rule),
        },
        "reference_source": prof.get("source"),
        "current_source": cur.description,
        "notes": list(dict.fromkeys(notes + cur.notes)),
    }
    doc["findings"] = findings(doc, rule)
    return doc


def _numeric_drift(entry: dict, res: dict, i: int, eps: float) -> dict:
    ref_counts = np.asarray(entry["counts"], dtype=np.int64)
    ref_psi = np.asarray(entry["psi_counts"], dtype=np.int64)
    if entry["grid"]:
        grid = Grid(**entry["grid"])
        cells = _numeric_cells(res, i, grid.cells)
        cur_counts = _to_bins(cells.counts, entry["boundaries"]).astype(np.int64)
        cur_sums = _to_bins(cells.sums, entry["boundaries"])
        cur_psi = _to_bins(cells.counts, entry["psi_boundaries"]).astype(np.int64)
        cur_missing = cells.missing
    else:  # no reference values: one bin for whatever values the current data has
        rows = _rows(res, i)
        k, n = res["k"][rows], res["n"][rows]
        cur_counts = np.array([int(n[k >= 0].sum())])
        cur_sums = np.array([float(np.nansum(res["s"][rows][k >= 0]))])
        cur_psi = cur_counts
        cur_missing = int(n[k == MISSING_CELL].sum())
    ref_missing = int(entry["missing"])
    out = _blank(entry, "numeric")
    out["reference_missing"], out["current_missing"] = ref_missing, cur_missing
    out["psi"] = stats.psi(np.append(ref_psi, ref_missing), np.append(cur_psi, cur_missing), eps)
    n1, n2 = int(ref_counts.sum()), int(cur_counts.sum())
    out["bins"] = len(ref_counts)
    out["psi_bins"] = len(ref_psi)
    method = f"PSI on {_bins(len(ref_psi))} and a missing-value bin (empty bins as {eps:g}); "
    if n1 == 0 or n2 == 0:
        side = "reference" if n1 == 0 else "current data"
        out["method"] = method + f"KS and Wasserstein not computed: the {side} has no values"
        out["_p"] = None
        return out
    ks, p, how = stats.ks_from_counts(ref_counts, cur_counts)
    out["ks"], out["ks_p_value"], out["_p"] = ks, p, p
    # Inside a bin each CDF moves by at most that bin's share, so the exact KS exceeds the
    # binned one by at most the larger over bins of the smaller of the two shares.
    out["ks_error_bound"] = float(np.minimum(ref_counts / n1, cur_counts / n2).max())
    std = entry.get("std")
    ref_means = np.array([math.nan if m is None else m for m in entry["means"]], dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        cur_means = np.where(cur_counts > 0, cur_sums / np.maximum(cur_counts, 1), math.nan)
    finite = (
        np.isfinite(ref_means[ref_counts > 0]).all()
        and np.isfinite(cur_means[cur_counts > 0]).all()
    )
    if std is None or not finite:
        w_text = "no Wasserstein distance: the data has infinite values"
    elif std > 0:
        w = stats.wasserstein_from_bins(ref_means, ref_counts, cur_means, cur_counts)
        out["wasserstein"] = w / std
        w_text = "Wasserstein-1 between the bins (each at the mean of its values) ÷ reference SD"
    else:
        w_text = "no scaled Wasserstein distance: the reference has no spread"
    out["method"] = method + (
        f"KS on {_bins(len(ref_counts))} (binned CDF), {how} p-value; {w_text}"
    )
    return out


def _bins(n: int) -> str:
    return f"{n} reference-quantile bin{'' if n == 1 else 's'}"


def _categorical_drift(entry: dict, res: dict, i: int, eps: float) -> dict:
    rows = _rows(res, i)
    known = {v: j for j, v in enumerate(entry["categories"])}
    cur = np.zeros(len(known), dtype=np.int64)
    cur_missing = cur_other = 0
    unseen: list[tuple[int, str]] = []
    for v, n in zip(res["v"][rows], res["n"][rows].tolist(), strict=True):
        if v is None:
            cur_missing += n
        elif v in known:
            cur[known[v]] += n
        else:
            cur_other += n
            if v != OTHER and not entry["pooled"]:
                unseen.append((n, v))
    ref = np.asarray(entry["counts"], dtype=np.int64)
    ref_vec = np.concatenate([ref, [entry["other"], entry["missing"]]])
    cur_vec = np.concatenate([cur, [cur_other, cur_missing]])
    out = _blank(entry, "categorical")
    out["reference_missing"], out["current_missing"] = int(entry["missing"]), cur_missing
    out["categories"] = len(known)
    out["current_unseen"] = 0 if entry["pooled"] else cur_other
    out["current_unseen_values"] = [v for _n, v in sorted(unseen, key=lambda t: (-t[0], t[1]))][:5]
    out["psi"] = stats.psi(ref_vec, cur_vec, eps)
    out["js"] = stats.js_distance(ref_vec, cur_vec)
    chi2, p, dof = stats.chi2_homogeneity(ref_vec, cur_vec)
    out["chi2"], out["chi2_p_value"], out["chi2_dof"], out["_p"] = chi2, p, dof, p
    bucket = "values beyond the reference's commonest" if entry["pooled"] else "unseen values"
    out["method"] = (
        f"PSI (empty buckets as {eps:g}), Jensen–Shannon distance (base 2) and chi-square "
        f"(2×{dof + 1} contingency, no continuity correction) over {len(known)} reference "
        f"categories, one bucket for {bucket} and one for missing values"
    )
    return out


def _blank(entry: dict, kind: str) -> dict:
    out: dict[str, Any] = {
        "column": entry["column"],
        "kind": kind,
        "psi": None,
        "js": None,
        "ks": None,
        "ks_p_value": None,
        "wasserstein": None,
        "chi2": None,
        "chi2_p_value": None,
        "drifted": False,
        "method": "",
    }
    if kind == "numeric":
        out["ks_error_bound"] = None
    else:
        out["chi2_dof"] = None
    return out


# --- findings and outputs ---------------------------------------------------------------------


def findings(doc: dict, rule: DriftRule) -> list[dict]:
    out = []
    cols = doc["columns"]
    drifted = [c for c in cols if c["drifted"]]
    if drifted:
        ranked = sorted(drifted, key=lambda c: -(c["psi"] or 0))
        names = ", ".join(c["column"] for c in ranked[:10]) + (" …" if len(ranked) > 10 else "")
        out.append(
            {
                "severity": "high",
                "message": (
                    f"{len(drifted)} of {len(cols)} columns drifted ({doc['drift_share']:.0%}): "
                    f"{names}. Check whether the people or the process behind the data changed "
                    "before relying on the system's results for this period."
                ),
            }
        )
    else:
        out.append(
            {
                "severity": "info",
                "message": (
                    f"No column drifted (rule: PSI ≥ {rule.psi:g}, or adjusted p < {rule.alpha:g} "
                    f"with KS ≥ {rule.ks:g} / JS distance ≥ {rule.js:g})."
                ),
            }
        )
    for c in cols:
        if c.get("current_unseen"):
            share = c["current_unseen"] / doc["current_rows"]
            examples = ", ".join(repr(v) for v in c.get("current_unseen_values", [])[:3])
            out.append(
                {
                    "severity": "medium",
                    "message": (
                        f"'{c['column']}': {share:.1%} of current rows have values the reference "
                        f"never had" + (f" (e.g. {examples})" if examples else "") + "."
                    ),
                }
            )
        ref_share = c["reference_missing"] / doc["reference_rows"]
        cur_share = c["current_missing"] / doc["current_rows"]
        if abs(cur_share - ref_share) >= 0.05:
            out.append(
                {
                    "severity": "medium",
                    "message": (
                        f"'{c['column']}': missing values went from {ref_share:.1%} to "
                        f"{cur_share:.1%}."
                    ),
                }
            )
    # PSI under no drift at all is about (K − 1)·(1/n + 1/m): say so when that nears the rule.
    noisy = []
    for c in cols:
        k = (c.get("psi_bins") or c.get("categories") or 0) + 1
        expected = (k - 1) * (1 / doc["reference_rows"] + 1 / doc["current_rows"])
        if expected >= rule.psi / 2:
            noisy.append(f"{c['column']} about {expected:.2f}")
    if noisy:
        out.append(
            {
                "severity": "medium",
                "message": (
                    "PSI is noisy at this size: with no drift at all, chance alone gives "
                    + ", ".join(noisy[:10])
                    + (" …" if len(noisy) > 10 else "")
                    + f" (the rule flags {rule.psi:g}). Give more weight to the tests (adjusted "
                    "p-values), or compare longer windows."
                ),
            }
        )
    return out


def _num(v: Any, digits: int = 3) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:.{digits}g}" if abs(v) < 1e-3 and v != 0 else f"{v:.{digits}f}"
    return str(v)


def _effect(c: dict) -> tuple[str, str]:
    return ("KS", _num(c["ks"])) if c["kind"] == "numeric" else ("JS", _num(c["js"]))


def _p(v: Any) -> str:
    if v is None:
        return "—"
    return "< 1e-300" if v == 0 else f"{v:.2g}"


def to_markdown(doc: dict) -> str:
    rule = doc["config"]["rule"]
    lines = [
        "# Data drift",
        "",
        f"{doc['reference_rows']:,} reference rows ({doc.get('reference_source') or 'reference'}) "
        f"against {doc['current_rows']:,} current rows ({doc.get('current_source') or 'current'}). "
        f"**{doc['drifted_columns']} of {len(doc['columns'])} columns drifted** "
        f"({doc['drift_share']:.0%}). Rule: PSI ≥ {rule['psi']:g}, or Holm-adjusted p < "
        f"{rule['alpha']:g} with KS ≥ {rule['ks']:g} (numeric) or Jensen–Shannon distance ≥ "
        f"{rule['js']:g} (categorical).",
        "",
        "## Findings",
        "",
    ]
    lines += [f"- **{f['severity']}** — {f['message']}" for f in doc["findings"]]
    lines += [f"- *data note* — {n}" for n in doc.get("notes", [])]
    lines += [
        "",
        "## Columns",
        "",
        "| column | kind | PSI | KS / JS | p | adjusted p | Wasserstein (SD) | chi² | drifted |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for c in doc["columns"]:
        name, effect = _effect(c)
        p = c["ks_p_value"] if c["kind"] == "numeric" else c["chi2_p_value"]
        lines.append(
            f"| {c['column']} | {c['kind']} | {_num(c['psi'])} | {name} {effect} | {_p(p)} | "
            f"{_p(c['p_adjusted'])} | {_num(c['wasserstein'])} | {_num(c['chi2'], 1)} | "
            f"{'**yes**' if c['drifted'] else 'no'} |"
        )
    lines += ["", "## Method", ""]
    lines += [f"- `{c['column']}`: {c['method']}" for c in doc["columns"]]
    return "\n".join(lines) + "\n"


def to_csv(doc: dict) -> str:
    import csv

    keys = [
        "column",
        "kind",
        "psi",
        "js",
        "ks",
        "ks_p_value",
        "wasserstein",
        "chi2",
        "chi2_p_value",
        "p_adjusted",
        "drifted",
        "reference_missing",
        "current_missing",
        "method",
    ]
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(keys)
    for c in doc["columns"]:
        w.writerow(["" if c.get(k) is None else c.get(k) for k in keys])
    return out.getvalue()


def _esc(v: Any) -> str:
    return html.escape(str(v))


def bar_chart(title: str, rows: list[tuple[str, float | None, bool]], threshold: float) -> str:
    """Horizontal bars with the rule's threshold as a dashed line; a drifted column is marked in
    words as well as in colour, and every value is written next to its bar."""
    width, left, right, bar_h = 640, 170, 110, 20
    height = 34 + bar_h * len(rows) + 10
    span = width - left - right
    values = [v for _l, v, _d in rows if v is not None]
    top = max([threshold * 2, *values]) if values else threshold * 2
    top = min(top, threshold * 5) or 1.0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" aria-label="{_esc(title)}">'
    ]
    x_t = left + span * min(threshold / top, 1)
    parts.append(
        f'<line x1="{x_t:.1f}" y1="18" x2="{x_t:.1f}" y2="{height - 6}" stroke="#9b1c1c" '
        'stroke-dasharray="4 3"/>'
        f'<text x="{x_t:.1f}" y="13" font-size="11" text-anchor="middle">threshold '
        f"{threshold:g}</text>"
    )
    for i, (label, value, drifted) in enumerate(rows):
        y = 30 + i * bar_h
        parts.append(
            f'<text x="{left - 8}" y="{y + 13}" font-size="12" text-anchor="end">{_esc(label)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{left + 4}" y="{y + 13}" font-size="11">not computed</text>')
            continue
        w = span * min(value / top, 1)
        colour = "#9b1c1c" if drifted else "#0b4fa8"
        parts.append(
            f'<rect x="{left}" y="{y + 3}" width="{max(w, 1):.1f}" height="{bar_h - 6}" '
            f'fill="{colour}"/>'
        )
        more = "▶ " if value > top else ""
        mark = " · column drifted" if drifted else ""
        parts.append(
            f'<text x="{left + max(w, 1) + 4:.1f}" y="{y + 13}" font-size="11">{more}'
            f"{_num(value)}{mark}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def to_html(doc: dict) -> str:
    from .report import CSS

    rule = doc["config"]["rule"]
    out = [
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        "<title>Data drift</title><style>",
        CSS,
        "</style></head><body><main>",
        "<h1>Data drift</h1>",
        f"<p>{doc['reference_rows']:,} reference rows ({_esc(doc.get('reference_source') or '')}) "
        f"against {doc['current_rows']:,} current rows ({_esc(doc.get('current_source') or '')}). "
        f"<strong>{doc['drifted_columns']} of {len(doc['columns'])} columns drifted</strong> "
        f"({doc['drift_share']:.0%}).</p>",
        "<h2>Findings</h2><ul>",
    ]
    for f in doc["findings"]:
        out.append(
            f'<li><span class="sev-{_esc(f["severity"])}">{_esc(f["severity"])}</span>: '
            f"{_esc(f['message'])}</li>"
        )
    out += [f"<li>data note: {_esc(n)}</li>" for n in doc.get("notes", [])]
    out.append("</ul><h2>Drift by column</h2>")
    cols = doc["columns"]
    charts = [
        ("PSI per column", [(c["column"], c["psi"], c["drifted"]) for c in cols], rule["psi"]),
        (
            "Kolmogorov–Smirnov statistic per numeric column",
            [(c["column"], c["ks"], c["drifted"]) for c in cols if c["kind"] == "numeric"],
            rule["ks"],
        ),
        (
            "Jensen–Shannon distance per categorical column",
            [(c["column"], c["js"], c["drifted"]) for c in cols if c["kind"] == "categorical"],
            rule["js"],
        ),
    ]
    for title, rows, threshold in charts:
        if rows:
            out.append(
                f"<figure><figcaption>{_esc(title)} (the table below gives every value)"
                f"</figcaption>{bar_chart(title, rows, threshold)}</figure>"
            )
    out.append(
        "<h2>Column table</h2><table><caption>Every statistic per column (p-values adjusted by "
        "Holm across columns)</caption><thead><tr>"
        + "".join(
            f'<th scope="col">{h}</th>'
            for h in [
                "column",
                "kind",
                "PSI",
                "KS",
                "JS distance",
                "p",
                "adjusted p",
                "Wasserstein (SD)",
                "chi²",
                "missing (ref → current)",
                "drifted",
            ]
        )
        + "</tr></thead><tbody>"
    )
    for c in cols:
        p = c["ks_p_value"] if c["kind"] == "numeric" else c["chi2_p_value"]
        cls = ' class="flag-disparity"' if c["drifted"] else ""
        out.append(
            f'<tr{cls}><th scope="row">{_esc(c["column"])}</th><td>{c["kind"]}</td>'
            f'<td class="num">{_num(c["psi"])}</td><td class="num">{_num(c["ks"])}</td>'
            f'<td class="num">{_num(c["js"])}</td><td class="num">{_p(p)}</td>'
            f'<td class="num">{_p(c["p_adjusted"])}</td>'
            f'<td class="num">{_num(c["wasserstein"])}</td>'
            f'<td class="num">{_num(c["chi2"], 1)}</td>'
            f'<td class="num">{c["reference_missing"]:,} → {c["current_missing"]:,}</td>'
            f"<td>{'drifted: ' + _esc('; '.join(c['reasons'])) if c['drifted'] else 'no'}</td></tr>"
        )
    out.append("</tbody></table><h2>Method</h2><ul>")
    out += [f"<li><code>{_esc(c['column'])}</code>: {_esc(c['method'])}</li>" for c in cols]
    out.append("</ul></main></body></html>")
    return "\n".join(out)
