"""What every export shares: the published records it may read, the missing-information report,
and the small text helpers. An exporter sees only `item()` of the public register (the JSON twin
of a published snapshot), so no non-public field can reach an export by construction."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

Item = dict[str, Any]

# Why a value is empty although the standard asks for it.
NOT_PUBLIC = _("not in the published public record (the register holds it, but it is not public)")
NOT_HELD = _("the published public record has no field for this")
OLDER_SNAPSHOT = _(
    "this record was published before Ombuds recorded this fact: publish it again (two-person "
    "review) to include it"
)
SUSPENDED_NOW = _(
    "the system is suspended now; the published record says it was %(stage)s when published, "
    "and this standard has no field for a suspension: say so when you file"
)


@dataclass
class Missing:
    """Information a standard asks for that the published record does not hold. Reported per
    system, never invented: the cell stays empty (CSV) or null (JSON)."""

    entries: list[dict[str, Any]] = field(default_factory=list)

    def add(self, item: Item, field_name: str, message: str) -> None:
        self.entries.append(
            {
                "system": item["id"],
                "name": item["name"],
                "field": field_name,
                "message": str(message),
            }
        )


@dataclass
class Export:
    format: str
    content: str
    content_type: str
    filename: str
    count: int
    missing: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)

    def missing_by_system(self) -> list[dict[str, Any]]:
        """The report grouped for people: one entry per system with its list of fields."""
        grouped: dict[int, dict[str, Any]] = {}
        for entry in self.missing:
            g = grouped.setdefault(
                entry["system"], {"system": entry["system"], "name": entry["name"], "fields": []}
            )
            g["fields"].append({"field": entry["field"], "message": entry["message"]})
        return list(grouped.values())


def recorded(item: Item, key: str) -> bool:
    """Whether the published snapshot holds the system fact `key` (older snapshots do not)."""
    return key in (item.get("_recorded") or ())


def published_stage(item: Item) -> str:
    """The stage the reviewed record was published at. The live stage (item["stage"]) shows
    suspensions on the public pages at once; exports use it only through `suspended_now`."""
    return item.get("stage_at_publication") or ""


def suspended_now(item: Item) -> bool:
    return bool(item.get("suspended"))


def generated_at() -> str:
    return timezone.now().replace(microsecond=0).isoformat()


def today() -> str:
    return dt.date.today().isoformat()


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def leading_sentences(value: str, limit: int) -> str:
    """The whole sentences at the start of `value` that fit in `limit` characters ("" when the
    first sentence alone is longer): an excerpt of what was published, never a rewrite."""
    value = " ".join(value.split())
    if len(value) <= limit:
        return value
    out = ""
    for sentence in _SENTENCE_END.split(value):
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    return out


def first_sentence(value: str) -> str:
    value = " ".join(value.split())
    return _SENTENCE_END.split(value, maxsplit=1)[0] if value else ""


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> str:
    """A spreadsheet never runs a cell as a formula: a leading = + - @ (or tab / CR) is kept as
    text by a leading apostrophe, as the public register's CSV does."""
    s = text(value) if not isinstance(value, str) else value
    return "'" + s if s[:1] in FORMULA_START else s


def public_url(item: Item) -> str:
    return item.get("url") or ""


def json_twin_url(item: Item) -> str:
    url = public_url(item)
    return f"{url}?format=json" if url else ""


def audit_summary(item: Item) -> str:
    """The published assessment level and decision, and the published test-result summary, in
    one sentence each (only what the snapshot holds)."""
    parts = []
    if item.get("impact_level") is not None:
        parts.append(f"Impact assessment: impact level {item['impact_level']}.")
    if item.get("decision_label"):
        parts.append(f"Assessment decision: {item['decision_label']}.")
    for a in item.get("bias_audits") or []:
        flagged = "a disparity was flagged" if a.get("disparities_flagged") else "no disparity"
        parts.append(
            f"Bias audit of {a.get('characteristic_label') or a.get('characteristic')} "
            f"({a.get('audited_on')}): {a.get('groups_compared')} groups compared, {flagged}."
        )
    return " ".join(parts)
