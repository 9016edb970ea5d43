"""Reading decision logs wherever they are, through Ibis (DuckDB by default).

Real files are messy. Duplicate column names are renamed the way DuckDB does (`name_1`) and
reported; labels written as words are read as 0/1 and reported; missing values are counted and
reported as dropped, never silently treated as 0.
"""

from __future__ import annotations

import csv
import glob
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.types as ir

from .errors import AssuranceError, MissingColumn

TRUE_WORDS = {"1", "1.0", "yes", "y", "true", "t", "positive", "pos"}
FALSE_WORDS = {"0", "0.0", "no", "n", "false", "f", "negative", "neg"}
MISSING_WORDS = {"", "na", "n/a", "nan", "null", "none", "missing"}
MISSING_GROUP = "(missing)"


@dataclass
class Source:
    table: ir.Table
    description: str
    notes: list[str] = field(default_factory=list)

    @property
    def columns(self) -> list[str]:
        return list(self.table.columns)

    def column(self, name: str, role: str = "column") -> ir.Column:
        if name not in self.table.columns:
            raise MissingColumn(name, self.columns, role)
        return self.table[name]


def _csv_header_duplicates(path: str) -> list[str]:
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as fh:
            header = next(csv.reader(fh), [])
    except OSError:
        return []
    seen: dict[str, int] = {}
    notes = []
    for name in header:
        seen[name] = seen.get(name, 0) + 1
    for name, count in seen.items():
        if count > 1:
            copies = ", ".join(f"{name}_{i}" for i in range(1, count))
            notes.append(
                f"column '{name}' appears {count} times in the header; the first is read "
                f"as '{name}', the others as {copies}"
            )
    return notes


def _dedupe_frame_columns(frame):
    """pandas allows duplicate column names; rename them like DuckDB does and say so."""
    names = [str(c) for c in frame.columns]
    if len(set(names)) == len(names):
        return frame, []
    seen: dict[str, int] = {}
    new, notes = [], []
    for name in names:
        k = seen.get(name, 0)
        new.append(name if k == 0 else f"{name}_{k}")
        seen[name] = k + 1
    for name, count in seen.items():
        if count > 1:
            notes.append(f"column '{name}' appears {count} times; copies renamed {name}_1…")
    frame = frame.copy()
    frame.columns = new
    return frame, notes


def load(data: Any, *, table: str | None = None) -> Source:
    """A CSV or Parquet path or glob, a DuckDB file (with table=), a pandas/polars/Arrow frame,
    or any Ibis table expression (Spark, PostgreSQL, Trino, BigQuery, … through Ibis)."""
    if isinstance(data, ir.Table):
        backend = (
            type(data._find_backend()).__module__.split(".")[2] if _has_backend(data) else "ibis"
        )
        return Source(data, f"Ibis table ({backend})")
    if isinstance(data, str | os.PathLike):
        return _load_path(str(data), table)
    module = type(data).__module__.split(".")[0]
    if module == "pandas":
        frame, notes = _dedupe_frame_columns(data)
        return Source(ibis.memtable(frame), "pandas DataFrame", notes)
    if module in {"polars", "pyarrow"}:
        return Source(ibis.memtable(data), f"{module} table")
    raise AssuranceError(
        f"cannot read data of type {type(data).__name__}: give a file path, "
        "a pandas/polars/Arrow frame or an Ibis table"
    )


def _has_backend(expr) -> bool:
    try:
        expr._find_backend()
        return True
    except Exception:
        return False


def _load_path(path: str, table: str | None) -> Source:
    matches = sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else [path]
    if not matches:
        raise AssuranceError(f"no file matches {path}")
    for m in matches:
        if not Path(m).exists():
            raise AssuranceError(f"file not found: {m}")
        if Path(m).is_file() and Path(m).stat().st_size == 0:
            raise AssuranceError(f"file is empty: {m}")
    lower = path.lower()
    con = ibis.duckdb.connect()
    try:
        if lower.endswith((".duckdb", ".ddb", ".db")):
            if not table:
                raise AssuranceError(f"{path} is a DuckDB database: name the table (--table NAME)")
            con = ibis.duckdb.connect(path, read_only=True)
            # Ibis 12's list_tables() fails on DuckDB 2.0.1; ask the catalogue directly.
            tables = [
                r[0]
                for r in con.raw_sql(
                    "SELECT table_name FROM information_schema.tables ORDER BY 1"
                ).fetchall()
            ]
            if table not in tables:
                raise AssuranceError(f"no table '{table}' in {path}; tables: {', '.join(tables)}")
            return Source(con.table(table), f"DuckDB table {table} in {path}")
        if lower.endswith((".parquet", ".pq", ".parq")) or (Path(matches[0]).is_dir()):
            return Source(
                con.read_parquet(matches if len(matches) > 1 else matches[0]), f"Parquet {path}"
            )
        if lower.endswith((".csv", ".tsv", ".txt", ".csv.gz", ".tsv.gz")):
            notes = _csv_header_duplicates(matches[0]) if not lower.endswith(".gz") else []
            t = con.read_csv(matches if len(matches) > 1 else matches[0])
            return Source(t, f"CSV {path}", notes)
    except AssuranceError:
        raise
    except Exception as exc:  # DuckDB says what is wrong with the file; keep it to one line
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise AssuranceError(f"cannot read {path}: {first}") from exc
    raise AssuranceError(f"cannot tell the format of {path}: use .csv, .parquet or a .duckdb file")


def fingerprint(path: str) -> str | None:
    """sha256 over the bytes of every file the path names (a file, a glob, a folder of Parquet
    parts), in name order: evidence of which data a result was computed on."""
    import hashlib

    matches = sorted(glob.glob(path)) if any(ch in path for ch in "*?[") else [path]
    files: list[str] = []
    for m in matches:
        if Path(m).is_dir():
            for root, _dirs, names in sorted(os.walk(m)):
                files += [os.path.join(root, n) for n in sorted(names)]
        elif Path(m).is_file():
            files.append(m)
    if not files:
        return None
    digest = hashlib.sha256()
    for name in files:
        with open(name, "rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return "sha256:" + digest.hexdigest()


def distinct_values(col: ir.Column, limit: int = 50) -> list[Any]:
    """Up to `limit` distinct non-null values (one small query)."""
    expr = col.name("v").as_table().filter(ibis._.v.notnull()).distinct().limit(limit + 1)
    values = expr.to_pyarrow().column("v").to_pylist()
    return values


def binary(
    src: Source, name: str, positive: Any = None, role: str = "label"
) -> tuple[ir.Value, str | None]:
    """An expression 1 / 0 / NULL for a binary column, and a note saying how it was read.

    Booleans and 0/1 numbers are read as they are; words (yes/no, true/false, "1"/"0") are
    mapped and reported; anything else needs `positive` and is refused with the values found.
    """
    col = src.column(name, role)
    dtype = col.type()
    if positive is not None:
        values = distinct_values(col)
        as_text = [str(v) for v in values]
        if str(positive) not in as_text:
            raise AssuranceError(
                f"{role} '{name}': the positive value '{positive}' does not occur; values found: "
                + ", ".join(as_text[:20])
            )
        expr = ibis.ifelse(
            col.isnull(), ibis.null(), (col.cast("string") == str(positive)).cast("int8")
        )
        return expr, f"{role} '{name}': '{positive}' read as positive (1), every other value as 0"
    if dtype.is_boolean():
        return col.cast("int8"), None
    values = distinct_values(col)
    if dtype.is_numeric():
        if set(values) <= {0, 1}:
            return col.cast("int8"), None
        raise AssuranceError(
            f"{role} '{name}' is not binary: values found: {_show(values)}; give the positive value "
            f"(--positive VALUE)"
            if role == "label"
            else f"{role} '{name}' is not binary: values found: {_show(values)}"
        )
    if dtype.is_string():
        words = {str(v).strip().lower() for v in values}
        unknown = words - TRUE_WORDS - FALSE_WORDS - MISSING_WORDS
        if not unknown and words & (TRUE_WORDS | FALSE_WORDS):
            norm = col.strip().lower()
            expr = ibis.cases(
                (norm.isin(list(TRUE_WORDS)), 1),
                (norm.isin(list(FALSE_WORDS)), 0),
                else_=ibis.null(),
            ).cast("int8")
            shown = sorted(w for w in words if w not in MISSING_WORDS)
            note = f"{role} '{name}': text values {', '.join(repr(w) for w in shown)} read as 1/0"
            if words & MISSING_WORDS:
                note += "; blanks and 'NA' read as missing"
            return expr, note
        raise AssuranceError(
            f"{role} '{name}' is not binary: values found: {_show(values)}; give the positive value "
            "(--positive VALUE)"
        )
    raise AssuranceError(
        f"{role} '{name}' has type {dtype}, which cannot be read as a binary outcome"
    )


def _show(values: list[Any]) -> str:
    shown = ", ".join(str(v) for v in values[:20])
    return shown + (" …" if len(values) > 20 else "")


def numeric(src: Source, name: str, role: str = "score") -> ir.Value:
    col = src.column(name, role)
    if col.type().is_numeric():
        return col.cast("float64")
    if col.type().is_string():
        return col.strip().try_cast("float64") if hasattr(col, "try_cast") else col.cast("float64")
    raise AssuranceError(f"{role} '{name}' has type {col.type()}, not a number")


def group_name(value: Any) -> str:
    """The group a raw protected value belongs to: missing or blank values form "(missing)"."""
    if value is None:
        return MISSING_GROUP
    text = str(value)
    return MISSING_GROUP if not text.strip() else text


def group_label(src: Source, name: str) -> ir.Value:
    col = src.column(name, "protected attribute")
    text = col.cast("string")
    return ibis.ifelse(col.isnull() | (text.strip() == ""), MISSING_GROUP, text)
