"""Errors the engine raises for bad input: each names the column, value or file."""

from __future__ import annotations


class AssuranceError(Exception):
    """Bad input: the CLI prints the message on one line and exits 2."""


class MissingColumn(AssuranceError):
    def __init__(self, column: str, available: list[str], role: str = "column"):
        shown = ", ".join(available[:60]) + (" …" if len(available) > 60 else "")
        super().__init__(f"{role} '{column}' is not in the data; available columns: {shown}")
        self.column = column
        self.available = available
