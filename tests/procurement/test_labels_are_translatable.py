"""What staff read is the labels, not the stored keys: the checks of a recorded review, the
verdicts in the tables, and the gate control's title is marked for translation."""

from __future__ import annotations

from django.urls import reverse
from django.utils.functional import Promise

from ombuds.procurement import controls, services

from .helpers import make_procurement


def test_a_recorded_review_shows_the_labels_of_its_checks(world, client):
    p, bid = make_procurement(world)
    for move in (services.start_market_engagement, services.start_evaluation):
        move(world.lead, p)
    services.award(world.lead, p, bid)
    services.sign_contract(world.lead, p)
    services.start_post_award(world.lead, p)
    services.record_review(
        world.lead, p.reviews.get(), {"claims_reverified": True}, "satisfactory", ""
    )
    client.force_login(world.users["viewer"])
    page = client.get(reverse("procurement_reviews", args=[world.a.slug, p.pk])).content.decode()
    assert "Claims re-verified on current data: yes" in page
    assert "Incidents reviewed: no" in page
    assert "claims_reverified" not in page


def test_the_control_title_is_translatable():
    assert isinstance(controls.CONTROLS[0].title, Promise)
    assert str(controls.CONTROLS[0].title) == "Bought system assured"
