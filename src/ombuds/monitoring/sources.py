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
SINGLE = [
    "time",
    "prediction",
    "score",
    "label",
    "final_decision",
    "overridden",
    "appeal_outcome",
    # Human-decision columns: who decided (staff, not the public) and how long they looked.
    "operator",
    "review_seconds",
]
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


class Internal:
    """Records another app keeps in Ombuds, offered to the monitors as a decision log (the
    remedy app's decided appeals): rows(system) gives a pyarrow table, mapping names its columns.
    Apps register these in ready(), so monitoring never imports them."""

    def __init__(self, name: str, label, mapping: dict, rows):
        self.name, self.label, self.mapping, self.rows = name, label, mapping, rows


INTERNAL: dict[str, Internal] = {}


def register_internal(name: str, label, mapping: dict, rows) -> None:
    INTERNAL[name] = Internal(name, label, mapping, rows)


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
    operator = out.get("operator")
    if operator:
        # Per-operator figures are for governance leads only: the operator column as a
        # protected group or a feature would show them, by group, to everyone.
        for key in LISTS:
            if operator in out.get(key, []):
                errors[key] = _(
                    "The operator column %(column)s cannot also be a %(role)s column: figures "
                    "per operator are shown to governance leads only."
                ) % {"column": operator, "role": key}
    if errors:
        from django.core.exceptions import ValidationError

        raise ValidationError(errors)
    return out


ENV_PREFIX = "OMBUDS_SOURCE_"


def allowed_roots(source) -> list[Path]:
    """The folders a source of this system may read: the configured source roots, and for an
    upload the system's own upload folder."""
    from django.conf import settings

    if source.kind == "upload":
        return [(Path(settings.MEDIA_ROOT) / "monitoring" / str(source.system_id)).resolve()]
    return list(settings.OMBUDS_SOURCE_ROOTS)


def _inside(path: Path, roots: list[Path]) -> bool:
    return any(path == root or root in path.parents for root in roots)


def check_location(source) -> str | None:
    """None when every file the location names lies inside an allowed folder."""
    import glob

    location = source.location
    roots = allowed_roots(source)
    wild = min([i for i, ch in enumerate(location) if ch in "*?["] or [len(location)])
    base = Path(os.path.realpath(location[:wild] or "."))
    if not _inside(base, roots) and not (wild < len(location) and _inside(base.parent, roots)):
        return _(
            "the location must lie inside %(roots)s (set OMBUDS_SOURCE_ROOTS on the server to "
            "the folders where decision logs are kept)"
        ) % {"roots": ", ".join(str(r) for r in roots)}
    for match in glob.glob(location):
        if not _inside(Path(os.path.realpath(match)), roots):
            return _("%(path)s lies outside the allowed folders") % {"path": match}
    return None


def connection_url(source) -> str:
    from django.conf import settings

    if source.connection_env:
        if not source.connection_env.startswith(ENV_PREFIX):
            raise SourceError(
                _("the environment variable's name must start with %(prefix)s")
                % {"prefix": ENV_PREFIX}
            )
        url = os.environ.get(source.connection_env)
        if not url:
            raise SourceError(
                _("the environment variable %(name)s is not set on this server")
                % {"name": source.connection_env}
            )
        return url
    if source.connection_file:
        folder = settings.OMBUDS_SECRETS_DIR
        path = Path(os.path.realpath(folder / source.connection_file))
        if not _inside(path, [folder]) or path == folder:
            raise SourceError(
                _("a secrets file is named by its name inside %(folder)s") % {"folder": folder}
            )
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError:
            raise SourceError(
                _("cannot read the secrets file %(name)s in %(folder)s")
                % {"name": source.connection_file, "folder": folder}
            ) from None
    raise SourceError(_("a database source needs an environment variable or a secrets file"))


def open_table(source):
    """The source as an Ibis table."""
    try:
        if source.kind == "ombuds":
            internal = INTERNAL.get(source.location)
            if internal is None:
                raise SourceError(
                    _("no part of Ombuds offers the records '%(name)s'") % {"name": source.location}
                )
            return ibis.memtable(internal.rows(source.system))
        if source.kind == "database":
            url = connection_url(source)
            try:
                con = ibis.connect(url)
                return con.table(source.location)
            except Exception as exc:
                # The error text may carry the connection URL and its password: never shown.
                raise SourceError(
                    _(
                        "cannot open table %(table)s through the configured connection "
                        "(%(kind)s); check the URL and the table name on the server"
                    )
                    % {"table": source.location, "kind": type(exc).__name__}
                ) from None
        outside = check_location(source)
        if outside:
            raise SourceError(outside)
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
    seconds = mapping.get("review_seconds")
    if seconds in schema and not schema[seconds].is_numeric():
        problems.append(
            _("the review time column '%(column)s' is not numeric (%(type)s): give seconds")
            % {"column": seconds, "type": schema[seconds]}
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


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A window's days as aware datetimes in the agency's time zone (settings.TIME_ZONE)."""
    from django.utils import timezone

    zone = timezone.get_default_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=zone),
        dt.datetime.combine(end, dt.time.min, tzinfo=zone),
    )


def window_of(table, mapping: dict, start: dt.date, end: dt.date):
    """The rows decided in [start, end) of the agency's days. A time column with a time zone is
    compared instant for instant; one without is read as the agency's local time."""
    column = table[mapping["time"]]
    if column.type().is_string() or column.type().is_date():
        column = column.cast("timestamp")
    lo, hi = bounds(start, end)
    if getattr(column.type(), "timezone", None):
        lo, hi = lo.astimezone(dt.UTC), hi.astimezone(dt.UTC)
        return table.filter((column >= ibis.literal(lo)) & (column < ibis.literal(hi)))
    lo, hi = lo.replace(tzinfo=None), hi.replace(tzinfo=None)
    return table.filter((column >= lo) & (column < hi))
