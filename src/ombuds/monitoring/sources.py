"""Opening a decision-log source through the engine, and checking its column mapping.

Files stay where the agency keeps them (or under the data directory for uploads); a database
is reached through Ibis with a connection URL read from an environment variable or a secrets
file, never stored in Ombuds' own database.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import ibis
from django.utils.translation import gettext as _

from ombuds.assurance import data
from ombuds.assurance.errors import AssuranceError

# The roles a column can play. "time" is required; the others as the monitors need them.
SINGLE = ["time", "prediction", "score", "label", "final_decision", "overridden", "appeal_outcome"]
LISTS = ["protected", "features"]
MAPPING_KEYS = SINGLE + LISTS + ["threshold", "positive"]
# What each monitor kind needs from the mapping.
NEEDS = {
    "drift": [["features"]],
    "performance": [["label"], ["prediction", "score"]],
    "fairness": [["protected"], ["prediction", "score"]],
    "oversight": [["overridden", "final_decision"]],
    "appeals": [["appeal_outcome"]],
}


class SourceError(Exception):
    """A source that cannot be read or a mapping that does not fit it; the message says what."""


def clean_mapping(raw: dict) -> dict:
    """The mapping as stored: known keys only, lists as lists, blanks dropped."""
    errors = {}
    out: dict = {}
    for key, value in (raw or {}).items():
        if key not in MAPPING_KEYS:
            errors[key] = _("Not a column role; roles are: %(roles)s.") % {
                "roles": ", ".join(MAPPING_KEYS)
            }
            continue
        if key in LISTS:
            items = value if isinstance(value, list) else str(value or "").split(",")
            items = [str(x).strip() for x in items if str(x).strip()]
            if items:
                out[key] = items
        elif key == "threshold":
            if value not in (None, ""):
                try:
                    out[key] = float(value)
                except (TypeError, ValueError):
                    errors[key] = _("Give a number.")
        elif value not in (None, ""):
            out[key] = str(value).strip()
    if "time" not in out:
        errors["time"] = _("Name the column that holds when each decision was made.")
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError(errors)
    return out


def connection_url(source) -> str:
    if source.connection_env:
        url = os.environ.get(source.connection_env)
        if not url:
            raise SourceError(
                _("the environment variable %(name)s is not set on this server")
                % {"name": source.connection_env}
            )
        return url
    if source.connection_file:
        try:
            return Path(source.connection_file).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SourceError(
                _("cannot read the secrets file %(path)s: %(error)s")
                % {"path": source.connection_file, "error": exc.strerror or exc}
            ) from None
    raise SourceError(_("a database source needs an environment variable or a secrets file"))


def open_table(source):
    """The source as an Ibis table."""
    try:
        if source.kind == "database":
            url = connection_url(source)
            try:
                con = ibis.connect(url)
                return con.table(source.location)
            except Exception as exc:
                first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
                raise SourceError(
                    _("cannot open table %(table)s: %(error)s")
                    % {"table": source.location, "error": first}
                ) from None
        return data.load(source.location).table
    except AssuranceError as exc:
        raise SourceError(str(exc)) from None


def columns_named(mapping: dict) -> list[tuple[str, str]]:
    """(role, column) for every column the mapping names."""
    out = [(k, mapping[k]) for k in SINGLE if mapping.get(k)]
    for k in LISTS:
        out += [(k, c) for c in mapping.get(k, [])]
    return out


def check(source, kinds: list[str] | None = None) -> list[str]:
    """Everything wrong with a source and its mapping, in words; empty when it is usable."""
    try:
        table = open_table(source)
    except SourceError as exc:
        return [str(exc)]
    mapping = source.mapping or {}
    problems = []
    schema = table.schema()
    for role, column in columns_named(mapping):
        if column not in schema:
            problems.append(
                _("the %(role)s column '%(column)s' is not in the source (columns: %(found)s)")
                % {"role": role, "column": column, "found": ", ".join(schema.names)}
            )
    time = mapping.get("time")
    if time in schema:
        dtype = schema[time]
        if not (dtype.is_temporal() or dtype.is_string()):
            problems.append(
                _("the time column '%(column)s' holds %(type)s, not dates or times")
                % {"column": time, "type": dtype}
            )
    score = mapping.get("score")
    if score in schema and not schema[score].is_numeric():
        problems.append(
            _("the score column '%(column)s' is not numeric (%(type)s)")
            % {"column": score, "type": schema[score]}
        )
    if score and "threshold" not in mapping and not mapping.get("prediction"):
        problems.append(_("a score needs a threshold (or map the prediction column)"))
    for kind in kinds or []:
        for alternatives in NEEDS.get(kind, []):
            if not any(mapping.get(a) for a in alternatives):
                problems.append(
                    _("a %(kind)s monitor needs the mapping to name: %(roles)s")
                    % {"kind": kind, "roles": _(" or ").join(alternatives)}
                )
    return problems


def window_of(table, mapping: dict, start: dt.date, end: dt.date):
    """The rows decided in [start, end)."""
    column = table[mapping["time"]]
    if column.type().is_string():
        column = column.cast("timestamp")
    elif column.type().is_date():
        column = column.cast("timestamp")
    lo = dt.datetime.combine(start, dt.time.min)
    hi = dt.datetime.combine(end, dt.time.min)
    return table.filter((column >= lo) & (column < hi))
