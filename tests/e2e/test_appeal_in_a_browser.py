"""The issue's 'done when' for appeals, in a real browser: a person who received a notice
appeals by its reference with JavaScript switched off, keeps the tracking link and follows the
case as staff decide it; every public page passes axe-core with no serious or critical
violation."""

from __future__ import annotations

import pytest
from django.test import override_settings
from playwright.sync_api import expect

from ombuds.core.models import Agency, Membership
from ombuds.registry.models import AISystem
from ombuds.remedy import services
from ombuds.remedy.models import Appeal

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def notice(django_user_model):
    agency = Agency.objects.create(slug="benefits", name="Benefits Office", country="IE")
    lead = django_user_model.objects.create_user(
        "lead", email="lead@example.org", password="correct horse battery"
    )
    Membership.objects.create(user=lead, agency=agency, role="governance_lead")
    system = AISystem.objects.create(
        agency=agency,
        name="Claim triage",
        short_description="Ranks claims",
        sector="other",
        stage="deployed",
        public_contact="appeals@benefits.example",
    )
    # An appeal route first: no notice is issued without one.
    services.save_policy(lead, agency, {"acknowledge_days": 5})
    services.save_route(lead, system, "adverse-decision")
    with override_settings(OMBUDS_PSEUDONYM_KEY="browser-test-key"):
        return services.issue_notice(
            lead,
            system,
            {
                "case_reference": "C-77",
                "outcome": "Claim refused",
                "factors": ["Income above the threshold"],
                "decided_on": "2026-03-02",
                "person_identifier": "P-77",
            },
        )


def test_appeal_by_notice_reference_without_javascript_and_follow_it(browser, live_server, notice):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/appeal/")
    page.get_by_label("Notice reference", exact=True).fill("N-UNKNOWN1")
    page.get_by_label("Why do you think the decision was wrong?").fill("My income fell in March.")
    page.get_by_label("E-mail address").fill("ada@example.net")
    page.get_by_role("button", name="Send the appeal").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("We found no notice with the reference N-UNKNOWN1")

    page.get_by_label("Notice reference", exact=True).fill(notice.reference)
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_role("heading", name="Appeal received")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    case = Appeal.objects.get()
    assert case.reference == reference and case.notice_id == notice.pk

    page.locator("#tracking-link").click()
    expect(page.get_by_role("heading", name=f"Appeal {reference}")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Received")
    tracking_url = page.url

    lead = notice.agency.memberships.get().user
    services.transition(lead, case, "acknowledged")
    services.transition(lead, case, "in_review", not_original_decision_maker=True)
    services.transition(lead, case, "decided", outcome="overturned", reasons="Income fell.")
    page.goto(tracking_url)
    expect(page.locator("#status")).to_have_text("Decided")
    expect(page.locator("#outcome")).to_have_text("Decision overturned")
    context.close()


def test_public_appeal_pages_pass_axe(page, live_server, notice, axe_check):
    problems = {}
    page.goto(f"{live_server.url}/public/appeal/")
    problems["form"] = axe_check(page)
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems["form with errors"] = axe_check(page)
    page.get_by_label("Notice reference", exact=True).fill(notice.reference)
    page.get_by_label("Why do you think the decision was wrong?").fill("Wrong income.")
    page.get_by_label("Telephone").fill("+353 1 555 0100")
    page.get_by_role("button", name="Send the appeal").click()
    expect(page.get_by_role("heading", name="Appeal received")).to_be_visible()
    problems["received"] = axe_check(page)
    page.locator("#tracking-link").click()
    expect(page.locator("#status")).to_be_visible()
    problems["tracking"] = axe_check(page)
    assert problems == {k: [] for k in problems}
