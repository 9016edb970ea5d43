"""A case is not closed until the remedy is recorded, or refused with reasons; after an upheld
decision no remedy is needed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from ombuds.remedy import services


@pytest.fixture
def decided(world, appeal):
    def make(outcome):
        case, _token = appeal
        services.transition(world.lead, case, "acknowledged")
        services.transition(world.lead, case, "in_review")
        services.transition(world.lead, case, "decided", outcome=outcome, reasons="Reasons.")
        case.refresh_from_db()
        return case

    return make


def test_an_overturned_case_cannot_close_without_a_remedy(world, decided):
    case = decided("overturned")
    with pytest.raises(ValidationError, match="record the remedy first"):
        services.transition(world.lead, case, "closed")
    case.refresh_from_db()
    assert case.state == "decided"


def test_refusing_a_remedy_needs_reasons(world, decided):
    case = decided("partly_overturned")
    with pytest.raises(ValidationError) as err:
        services.transition(world.lead, case, "closed", refuse_remedy=True)
    assert "note" in err.value.message_dict
    services.transition(
        world.lead, case, "closed", refuse_remedy=True, note="The payment was already made."
    )
    case.refresh_from_db()
    assert case.state == "closed" and case.remedy_status == "refused"


def test_recording_a_remedy_needs_what_and_when(world, decided):
    case = decided("overturned")
    with pytest.raises(ValidationError) as err:
        services.transition(world.lead, case, "remedy_done", remedy_kinds=["hug"])
    assert set(err.value.message_dict) == {"remedy_kinds", "remedy_done_on"}
    services.transition(
        world.lead,
        case,
        "remedy_done",
        remedy_kinds=["record_corrected", "apology"],
        remedy_done_on=dt.date(2026, 3, 20),
        note="Record corrected; letter of apology sent.",
    )
    services.transition(world.lead, case, "closed")
    case.refresh_from_db()
    assert case.remedy_status == "recorded" and case.remedy_kinds == ["apology", "record_corrected"]


def test_an_upheld_decision_closes_with_no_remedy_needed(world, decided):
    case = decided("upheld")
    services.transition(world.lead, case, "closed")
    case.refresh_from_db()
    assert case.remedy_status == "not_needed"


def test_a_withdrawn_case_is_closed_for_good(world, appeal):
    case, _token = appeal
    services.transition(
        world.users["case_worker"],
        case,
        "withdrawn",
        note="Called to withdraw.",
        appellant_asked=True,
    )
    with pytest.raises(ValidationError):
        services.transition(world.lead, case, "acknowledged")
