"""Two requests working on copies loaded before either wrote: the second sees what the first did
(the state is re-read under a lock inside the transaction), so two awards do not both succeed
and a review is not recorded twice with two next reviews."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from ombuds.procurement import services
from ombuds.procurement.models import Answer, Procurement, Review

from .helpers import make_procurement


def _copies(p):
    return Procurement.objects.get(pk=p.pk), Procurement.objects.get(pk=p.pk)


def test_two_awards_from_stale_copies_only_one_wins(world):
    p, bid = make_procurement(world)
    other = services.add_bid(
        world.lead, p, services.create_vendor(world.lead, world.a, {"name": "Borealis"}), {}
    )
    services.start_market_engagement(world.lead, p)
    services.start_evaluation(world.lead, p)
    first, second = _copies(p)
    services.award(world.lead, first, bid)
    with pytest.raises(services.Refused):
        services.award(world.lead, second, other)
    p.refresh_from_db()
    assert p.awarded_bid == bid and p.stage == "award"


def test_a_stage_move_from_a_stale_copy_is_refused(world):
    p, _bid = make_procurement(world)
    first, second = _copies(p)
    services.start_market_engagement(world.lead, first)
    with pytest.raises(services.Refused):
        services.start_market_engagement(world.lead, second)
    assert Procurement.objects.get(pk=p.pk).stage == "market_engagement"


def test_a_stale_review_is_not_recorded_twice(world):
    p, bid = make_procurement(world)
    for move in (services.start_market_engagement, services.start_evaluation):
        move(world.lead, p)
    services.award(world.lead, p, bid)
    services.sign_contract(world.lead, p)
    services.start_post_award(world.lead, p)
    review = p.reviews.get()
    one, two = Review.objects.get(pk=review.pk), Review.objects.get(pk=review.pk)
    services.record_review(world.lead, one, {"due_diligence_refreshed": True}, "satisfactory", "")
    with pytest.raises(services.Refused):
        services.record_review(world.lead, two, {}, "breach", "Overwrites the first record.")
    review.refresh_from_db()
    assert review.outcome == "satisfactory"
    assert p.reviews.count() == 2  # the recorded one and one next review


def test_a_vendor_answer_on_a_stale_page_does_not_reopen_a_reviewed_question(world):
    p, bid = make_procurement(world)
    request, _token = services.send_due_diligence(world.lead, bid)
    services.vendor_answer(request, {"intended-uses": "For triage of incoming cases only."})
    answer = Answer.objects.get(request=request, question_id="intended-uses")
    services.review_answer(world.lead, answer, "needs_more", "Say what it is not for.")
    # The vendor's second post loaded the answers while the question was open again...
    stale = type(request).objects.prefetch_related("answers").get(pk=request.pk)
    # ...and meanwhile the vendor's first tab answered and the officer accepted.
    services.vendor_answer(request, {"intended-uses": "Triage only; never for decisions."})
    services.review_answer(world.lead, Answer.objects.get(pk=answer.pk), "accepted", "")
    with pytest.raises(ValidationError) as caught:
        services.vendor_answer(stale, {"intended-uses": "Changed after acceptance."})
    assert "reviewed meanwhile" in caught.value.message_dict["intended-uses"][0]
    answer.refresh_from_db()
    assert answer.status == "accepted" and "never for decisions" in answer.text
