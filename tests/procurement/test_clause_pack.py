"""The contract clause pack: the level's clauses preselected and impossible to drop, parameters
checked by type, export as Markdown with the filled values and as PDF."""

from __future__ import annotations

import builtins

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from ombuds.procurement import content, services
from ombuds.registry.models import AISystem

from .helpers import make_procurement

LEVEL_I = {
    "audit-inspection",
    "logs-and-data-access",
    "incident-notification",
    "labour-standards",
    "data-return-deletion",
}


def _at_level(system, level):
    AISystem.objects.filter(pk=system.pk).update(impact_level=level, impact_determination="rights")


def test_a_new_procurement_carries_the_clauses_its_level_requires(world):
    _at_level(world.system_a, 1)
    p, _bid = make_procurement(world)
    assert set(p.clauses.values_list("clause_id", flat=True)) == LEVEL_I
    _at_level(world.system_b, 3)
    q, _bid = make_procurement(world, own=False)
    chosen = set(q.clauses.values_list("clause_id", flat=True))
    assert {"appeals-explanations", "termination-rights-violations"} <= chosen


def test_required_clauses_cannot_be_dropped(world):
    _at_level(world.system_a, 1)
    p, _bid = make_procurement(world)
    keep = sorted(LEVEL_I - {"labour-standards"})
    with pytest.raises(ValidationError) as err:
        services.select_clauses(world.users["procurement_officer"], p, keep, {})
    assert "Labour standards in the value chain (labour-standards)" in err.value.messages[0]
    assert p.clauses.filter(clause_id="labour-standards").exists()


def test_parameters_are_checked_by_type(world):
    _at_level(world.system_a, 1)
    p, _bid = make_procurement(world)
    officer = world.users["procurement_officer"]
    chosen = sorted(LEVEL_I)
    with pytest.raises(ValidationError) as err:
        services.select_clauses(
            officer, p, chosen, {"incident-notification": {"notify_days": "two"}}
        )
    assert "incident-notification.notify_days" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        services.select_clauses(officer, p, chosen, {"data-return-deletion": {"format": "Excel"}})
    assert "choose one of" in err.value.messages[0]


def test_markdown_and_pdf_carry_the_filled_parameters(world):
    _at_level(world.system_a, 2)
    p, _bid = make_procurement(world)
    officer = world.users["procurement_officer"]
    chosen = [c.id for c in services.required_clauses(p)]
    services.select_clauses(
        officer,
        p,
        chosen,
        {
            "incident-notification": {"notify_days": "3"},
            "performance-fairness-thresholds": {
                "min_accuracy": "92",
                "max_gap": "4",
                "cure_days": "45",
            },
        },
    )
    client = Client()
    client.force_login(world.users["viewer"])
    base = f"/agencies/{world.a.slug}/procurements/{p.pk}/clauses/"
    md = client.get(base + "pack.md")
    assert md.status_code == 200
    text = md.content.decode()
    assert "within 3 days of becoming aware" in text
    assert "at least 92 %" in text and "more than 4 percentage points" in text
    assert "within 45 days" in text
    assert "{" not in text.replace("<!--", "")  # every parameter filled
    pdf = client.get(base + "pack.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_without_weasyprint_the_pdf_link_offers_markdown_and_html(world, monkeypatch):
    p, _bid = make_procurement(world)
    real_import = builtins.__import__

    def no_weasyprint(name, *args, **kwargs):
        if name == "weasyprint":
            raise ImportError("No module named 'weasyprint'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    client = Client()
    client.force_login(world.lead)
    response = client.get(f"/agencies/{world.a.slug}/procurements/{p.pk}/clauses/pack.pdf")
    assert response.status_code == 503
    html = response.content.decode()
    assert "pack.md" in html and "/clauses/pack/" in html


def test_the_clauses_page_saves_a_selection(world):
    _at_level(world.system_a, 1)
    p, _bid = make_procurement(world)
    client = Client()
    client.force_login(world.users["procurement_officer"])
    url = f"/agencies/{world.a.slug}/procurements/{p.pk}/clauses/"
    form = {
        "clause": sorted(LEVEL_I | {"documentation-updates"}),
        "documentation-updates.update_days": "10",
    }
    assert client.post(url, form).status_code == 302
    sel = p.clauses.get(clause_id="documentation-updates")
    assert sel.values == {"update_days": 10}
    refused = client.post(url, {"clause": ["documentation-updates"]})
    assert refused.status_code == 422 and "cannot be dropped" in refused.content.decode()


def test_every_clause_is_real_text_with_its_parameters_defined():
    library = content.clauses()
    assert len(library) >= 11
    for clause in library.values():
        assert len(clause.text) > 150, clause.id
        assert "{" not in clause.render({}), clause.id
