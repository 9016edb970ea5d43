"""The public register's own documents, /public/register.json and /public/register.csv, for
one agency or all: built by the register's functions, so the files are the same documents."""

from __future__ import annotations

import csv
import io
import json

from ombuds.transparency import public_views

from .base import Export, Item


def _public(item: Item) -> Item:
    """The item as /public/register.json has it: without the exports' own "_" keys."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def build_json(items: list[Item], agency=None) -> Export:
    doc = {
        "schema": public_views.REGISTER_SCHEMA,
        "count": len(items),
        "withheld": public_views.withheld_counts(agency),
        "items": [_public(i) for i in items],
    }
    return Export(
        format="json",
        content=json.dumps(doc, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        filename="register.json",
        count=len(items),
        missing=[],
    )


def build_csv(items: list[Item], agency=None) -> Export:
    columns = public_views.CSV_COLUMNS
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for i in items:
        row = {
            **{k: i.get(k) for k in columns},
            **i["fields"],
            "agency": i["agency"]["slug"],
            "agency_name": i["agency"]["name"],
            "country": i["agency"]["country"],
            "high_impact": ""
            if i["high_impact"] is None
            else ("yes" if i["high_impact"] else "no"),
        }
        writer.writerow([public_views._cell(row.get(c)) for c in columns])
    return Export(
        format="csv",
        content=out.getvalue(),
        content_type="text/csv; charset=utf-8",
        filename="register.csv",
        count=len(items),
        missing=[],
    )
