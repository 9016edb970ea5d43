"""A small schema language for the exports: each standard's fields, types, lengths, value lists
and when a field is required, written here as data (never read from the standards' own files at
run time). One validator checks any export against its schema; the exporters run it on what they
produce, and the tests run it again."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Row = dict[str, Any]


@dataclass(frozen=True)
class Field:
    """One field of a standard. `required` is True/False, or a function of the whole record
    (the US inventory asks for some fields only at some stages). `allowed` lists the values a
    choice field may take; for `array` fields, each item must be one of them."""

    name: str
    type: str = "string"  # string | enum | array | date | month | integer | boolean | object
    required: bool | Callable[[Row], bool] = False
    max_length: int | None = None
    allowed: tuple[str, ...] | None = None
    label: str = ""
    items: tuple[Field, ...] = field(default=())  # for arrays of objects

    def is_required(self, row: Row) -> bool:
        return self.required(row) if callable(self.required) else bool(self.required)


def empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def check(row: Row, fields: Iterable[Field], where: str = "") -> list[str]:
    """Every way `row` breaks the schema, each naming the field; [] when it conforms."""
    errors: list[str] = []
    fields = list(fields)
    known = {f.name for f in fields}
    for key in row:
        if key not in known:
            errors.append(f"{where}{key}: not a field of the standard")
    for f in fields:
        value = row.get(f.name)
        if empty(value):
            if f.is_required(row):
                errors.append(f"{where}{f.name}: required")
            continue
        errors.extend(_check_value(f, value, where))
    return errors


def _check_value(f: Field, value: Any, where: str) -> list[str]:
    name = f"{where}{f.name}"
    if f.type == "array":
        if not isinstance(value, list):
            return [f"{name}: must be a list"]
        out: list[str] = []
        for i, item in enumerate(value):
            if f.items:
                if not isinstance(item, dict):
                    out.append(f"{name}[{i}]: must be an object")
                else:
                    out.extend(check(item, f.items, f"{name}[{i}]."))
            elif f.allowed is not None and item not in f.allowed:
                out.append(f"{name}[{i}]: {item!r} is not an allowed value")
        return out
    if f.type == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{name}: must be an integer"]
    if f.type == "boolean":
        return [] if isinstance(value, bool) else [f"{name}: must be true or false"]
    if f.type == "object":
        return [] if isinstance(value, dict) else [f"{name}: must be an object"]
    if not isinstance(value, str):
        return [f"{name}: must be text"]
    out = []
    if f.allowed is not None and value not in f.allowed:
        out.append(f"{name}: {value!r} is not an allowed value")
    if f.max_length is not None and len(value) > f.max_length:
        out.append(f"{name}: {len(value)} characters, at most {f.max_length}")
    if f.type == "date" and not _is_date(value):
        out.append(f"{name}: must be a date YYYY-MM-DD")
    if f.type == "month" and not _is_month(value):
        out.append(f"{name}: must be a month YYYY-MM")
    return out


def _is_date(value: str) -> bool:
    import datetime as dt

    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


def _is_month(value: str) -> bool:
    return len(value) == 7 and _is_date(value + "-01")
