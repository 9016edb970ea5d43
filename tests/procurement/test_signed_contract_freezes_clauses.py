"""Signing the contract freezes its clause pack: the selection can no longer be changed, through
the service or the clauses page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from ombuds.procurement import services

from .helpers import make_procurement


def _signed(world):
    p, bid = make_procurement(world)
    for move in (services.start_market_engagement, services.start_evaluation):
        move(world.lead, p)
    services.award(world.lead, p, bid)
    services.sign_contract(world.lead, p)
    return p


def test_clauses_cannot_be_changed_after_signing(world):
    p = _signed(world)
    before = {s.clause_id: s.values for s in p.clauses.all()}
    with pytest.raises(services.Refused) as caught:
        services.select_clauses(world.lead, p, list(before), {})
    assert caught.value.rule == "clauses-frozen" and "signed" in caught.value.detail
    services.start_post_award(world.lead, p)
    with pytest.raises(services.Refused):
        services.select_clauses(world.lead, p, list(before), {})
    with pytest.raises(services.Refused):
        services.link_systems(world.lead, p, [world.system_a.pk])
    assert {s.clause_id: s.values for s in p.clauses.all()} == before


def test_the_clauses_page_says_so(world, client):
    p = _signed(world)
    chosen = list(p.clauses.values_list("clause_id", flat=True))
    client.force_login(world.lead)
    response = client.post(
        reverse("procurement_clauses", args=[world.a.slug, p.pk]), {"clause": chosen}, follow=True
    )
    assert "The contract is signed" in response.content.decode()


def test_a_stale_copy_from_before_signing_is_refused_too(world):
    p, bid = make_procurement(world)
    stale = type(p).objects.get(pk=p.pk)
    for move in (services.start_market_engagement, services.start_evaluation):
        move(world.lead, p)
    services.award(world.lead, p, bid)
    services.sign_contract(world.lead, p)
    chosen = list(p.clauses.values_list("clause_id", flat=True))
    with pytest.raises(services.Refused):
        services.select_clauses(world.lead, stale, chosen, {})
