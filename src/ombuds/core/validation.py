"""Checks every storage engine needs before text reaches it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError


def _bad_text(value: Any) -> str | None:
    if isinstance(value, str):
        if "\x00" in value:
            return "Text may not contain NUL characters."
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return "Text is not valid Unicode (it contains a lone surrogate)."
    elif isinstance(value, dict):
        for k, v in value.items():
            found = _bad_text(k) or _bad_text(v)
            if found:
                return found
    elif isinstance(value, list | tuple):
        for v in value:
            found = _bad_text(v)
            if found:
                return found
    return None


def check_text(values: dict[str, Any]) -> None:
    """Refuse NUL characters and lone surrogates, naming the field (PostgreSQL cannot store them)."""
    errors = {name: msg for name, value in values.items() if (msg := _bad_text(value))}
    if errors:
        raise ValidationError(errors)
