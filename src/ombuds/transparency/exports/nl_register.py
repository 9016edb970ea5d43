"""The Dutch national algorithm register, publication standard v1.0: one registration per
published system, as JSON, with the standard's field names, types, maximum lengths and value
lists. Text fields that the register shows as HTML carry the record's text HTML-escaped, so a
name or description is always shown as text."""

from __future__ import annotations

import html
import json

from django.utils.translation import gettext_lazy as _

from .base import (
    OLDER_SNAPSHOT,
    Export,
    Item,
    Missing,
    generated_at,
    json_twin_url,
    leading_sentences,
    published_stage,
    recorded,
    suspended_now,
    text,
)
from .schema import Field, Row

NAME = "nl-register"
TITLE = "Dutch algorithm register, standard v1.0 (JSON)"
VERSION = "1.0"

CATEGORIES = (
    "Organisatie en bedrijfsvoering",
    "Cultuur en recreatie",
    "Economie",
    "Overheidsfinanciën",
    "Wonen",
    "Internationaal",
    "Migratie en integratie",
    "Natuur en milieu",
    "Onderwijs en wetenschap",
    "Openbare orde en veiligheid",
    "Recht",
    "Ruimte en infrastructuur",
    "Sociale zekerheid",
    "Verkeer",
    "Werk",
    "Zorg en gezondheid",
)
STATUSES = ("In ontwikkeling", "In gebruik", "Buiten gebruik")
PUBLICATION_CATEGORIES = ("Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes")
HTML_FIELDS = (
    "goal",
    "proportionality",
    "human_intervention",
    "risks",
    "lawful_basis",
    "impacttoetsen",
    "source_data",
    "methods_and_models",
    "tags",
)


def _link_items(title_max: int | None) -> tuple[Field, ...]:
    return (
        Field("title", required=True, max_length=title_max),
        Field("link", required=True, max_length=500),
    )


FIELDS: tuple[Field, ...] = (
    Field("name", required=True, max_length=100),
    Field("description_short", required=True, max_length=400),
    Field("organization", required=True, max_length=100),
    Field("category", "array", allowed=CATEGORIES),
    Field("status", "enum", required=True, allowed=STATUSES),
    Field("begin_date", "month", max_length=7),
    Field("end_date", "month", max_length=7),
    Field("contact_email", required=True, max_length=500),
    Field("website", max_length=500),
    Field("publication_category", "enum", required=True, allowed=PUBLICATION_CATEGORIES),
    Field("url", max_length=500),
    Field("goal", max_length=2500),
    Field("proportionality", max_length=2500),
    Field("human_intervention", max_length=2500),
    Field("risks", max_length=2500),
    Field("lawful_basis", max_length=2500),
    Field("lawful_basis_grouping", "array", items=_link_items(100)),
    Field("process_index_url", max_length=500),
    Field(
        "impacttoetsen_grouping",
        "array",
        items=(Field("title", required=True), Field("link", max_length=500)),
    ),
    Field("impacttoetsen", max_length=2500),
    Field("source_data", max_length=2500),
    Field("source_data_grouping", "array", items=_link_items(500)),
    Field("methods_and_models", max_length=5000),
    Field("provider", max_length=200),
    Field("publiccode", max_length=500),
    Field("lang", "enum", required=True, allowed=("nld",)),
    Field("standard_version", "enum", allowed=(VERSION,)),
    Field("source_id", max_length=100),
    Field("tags", max_length=2500),
    Field("lars"),
    Field("publication_dt"),
)
LIMITS = {f.name: f.max_length for f in FIELDS if f.max_length}

CATEGORY_MAP = {
    "healthcare": "Zorg en gezondheid",
    "law_enforcement": "Openbare orde en veiligheid",
    "justice": "Recht",
    "public_benefits": "Sociale zekerheid",
    "migration": "Migratie en integratie",
    "education": "Onderwijs en wetenschap",
    "employment": "Werk",
    "critical_infrastructure": "Ruimte en infrastructuur",
}
STATUS_MAP = {
    "design": STATUSES[0],
    "development": STATUSES[0],
    "procurement": STATUSES[0],
    "pilot": STATUSES[1],
    "deployed": STATUSES[1],
    "suspended": STATUSES[2],
    "decommissioned": STATUSES[2],
}


def _status(item: Item) -> str | None:
    """The published stage; a system suspended now is "Buiten gebruik" (out of use) at once:
    the status field is the register's place for it, and the suspension is public."""
    if suspended_now(item):
        return STATUSES[2]
    return STATUS_MAP.get(published_stage(item))


def _category(item: Item, missing: Missing) -> str | None:
    """High-risk AI system when an Annex III point was published; else by the published
    high-impact determination. A snapshot without the Annex III point cannot tell."""
    if not recorded(item, "eu_annex_iii_area"):
        missing.add(item, "publication_category", OLDER_SNAPSHOT)
        return None
    high = item.get("high_impact")
    if item.get("eu_annex_iii_area"):
        return PUBLICATION_CATEGORIES[0]
    if high is True:
        return PUBLICATION_CATEGORIES[1]
    if high is False:
        return PUBLICATION_CATEGORIES[2]
    missing.add(item, "publication_category", _("no high-impact determination was published"))
    return None


def _fit(item: Item, missing: Missing, name: str, value: str) -> str | None:
    """The value when it fits the field's maximum length; else None, reported."""
    if not value:
        return None
    limit = LIMITS.get(name)
    if limit is not None and len(value) > limit:
        missing.add(
            item,
            name,
            _("%(n)d characters, the register takes at most %(limit)d: shorten it")
            % {"n": len(value), "limit": limit},
        )
        return None
    return value


def registration_for(item: Item, missing: Missing) -> Row:
    fields = item.get("fields") or {}

    def rich(key: str) -> str:
        return html.escape(text(fields.get(key)), quote=False)

    category = _category(item, missing)
    sector = CATEGORY_MAP.get(item.get("sector") or "")
    what = text(fields.get("what_it_does"))
    short = leading_sentences(what, LIMITS["description_short"])
    row: Row = {
        "name": _fit(item, missing, "name", text(item.get("name"))),
        "description_short": short or None,
        "organization": _fit(item, missing, "organization", item["agency"]["name"]),
        "category": [sector] if sector else [],
        "status": _status(item),
        "begin_date": None,
        "end_date": None,
        "contact_email": _fit(item, missing, "contact_email", text(fields.get("contact"))),
        # The organisation's own page about the process (the standard: "a different page from
        # the link to the decentral register"): not held, so empty and reported.
        "website": None,
        "publication_category": category,
        # The register's page on Ombuds, in its machine-readable form (the JSON twin), as the
        # standard asks for "bronregistratie".
        "url": _fit(item, missing, "url", json_twin_url(item)),
        "goal": _fit(item, missing, "goal", html.escape(what, quote=False)),
        "proportionality": None,
        "human_intervention": _fit(item, missing, "human_intervention", rich("human_role")),
        "risks": _fit(item, missing, "risks", rich("risks")),
        "lawful_basis": None,
        "lawful_basis_grouping": [],
        "process_index_url": None,
        "impacttoetsen_grouping": [],
        "impacttoetsen": None,
        "source_data": _fit(item, missing, "source_data", rich("data_used")),
        "source_data_grouping": [],
        "methods_and_models": None,
        "provider": None,
        "publiccode": None,
        "lang": "nld",
        "standard_version": VERSION,
        "source_id": f"{item['agency']['slug']}-{item['id']}"[:100],
        "tags": None,
        "lars": None,
        "publication_dt": None,
    }
    if what and not short:
        missing.add(
            item,
            "description_short",
            _("the first sentence of 'what it does' is longer than 400 characters: shorten it"),
        )
    elif not what:
        missing.add(item, "description_short", _("'what it does' is empty"))
    if row["contact_email"] is None and not text(fields.get("contact")):
        missing.add(item, "contact_email", _("the public record has no contact"))
    missing.add(
        item,
        "website",
        _(
            "the organisation's own page about the process the algorithm is used in (not the "
            "register's page, which is in url): add it when you file"
        ),
    )
    if item["agency"].get("country") != "NL":
        missing.add(
            item,
            "lang",
            _("the register takes registrations in Dutch only: translate the text fields"),
        )
    missing.add(
        item,
        "lawful_basis",
        _("not in the published public record (add the legal basis in Dutch)"),
    )
    return row


def build(items: list[Item]) -> Export:
    missing = Missing()
    rows = [registration_for(i, missing) for i in items]
    doc = {
        "schema": "ombuds.export.nl-register/1",
        "standard": "Algoritmeregister publicatiestandaard",
        "standard_version": VERSION,
        "generated_at": generated_at(),
        "registrations": rows,
    }
    return Export(
        format=NAME,
        content=json.dumps(doc, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
        filename="algoritmeregister-v1_0.json",
        count=len(rows),
        missing=missing.entries,
    )
