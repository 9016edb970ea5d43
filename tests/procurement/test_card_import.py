"""A vendor's model card imported from Markdown with YAML front matter or from JSON; the sections
Ombuds expects and the card lacks are listed."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError

from ombuds.procurement import services

from .helpers import make_procurement

MARKDOWN = """---
model_details: Gradient-boosted trees, version 4.2
intended_use: Ranking benefit claims for review order
---

## Training data

Claims from 2019-2024 in three provinces.

## Known limitations

Not tested on claims filed on paper.

## Fairness

"""


def test_markdown_card_lists_missing_sections(world):
    p, bid = make_procurement(world)
    card = services.import_card(world.lead, bid, "model", MARKDOWN, "card.md")
    assert card.source_format == "markdown"
    assert card.fields["intended_use"].startswith("Ranking")
    assert card.fields["training_data"].startswith("Claims from 2019")
    # The fairness heading is empty: it counts as missing.
    assert card.missing == [
        "Out-of-scope and prohibited uses",
        "Evaluation and metrics",
        "Fairness and bias testing",
    ]


def test_json_card_with_aliases(world):
    p, bid = make_procurement(world)
    doc = {
        "Provenance": "Bought from a statistics office",
        "collection_process": "Survey 2023",
        "License": "CC BY 4.0",
        "labelling": "Two annotators per record, paid hourly",
    }
    card = services.import_card(world.lead, bid, "data", json.dumps(doc), "card.json")
    assert card.source_format == "json"
    assert card.missing == ["Composition and representativeness", "Personal data", "Known gaps"]


def test_a_broken_card_is_refused_with_a_reason(world):
    p, bid = make_procurement(world)
    with pytest.raises(ValidationError) as err:
        services.import_card(world.lead, bid, "model", "{not json", "card.json")
    assert "Not valid JSON" in err.value.messages[0]
