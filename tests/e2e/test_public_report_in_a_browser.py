"""The issue's 'done when' for reports, in a real browser: a member of the public reports a
problem with JavaScript switched off, keeps the private link and follows the report; every public
page passes axe-core with no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ombuds.core.models import Agency, Membership
from ombuds.feedback import services
from ombuds.feedback.models import Report
from ombuds.registry.models import AISystem

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agency(django_user_model):
    agency = Agency.objects.create(slug="benefits", name="Benefits Office", country="IE")
    lead = django_user_model.objects.create_user(
        "lead", email="lead@example.org", password="correct horse battery"
    )
    Membership.objects.create(user=lead, agency=agency, role="governance_lead")
    AISystem.objects.create(
        agency=agency,
        name="Claim triage",
        short_description="Ranks claims",
        sector="other",
        stage="deployed",
    )
    return agency


def test_report_without_javascript_and_follow_it(browser, live_server, agency):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/report/")
    expect(
        page.get_by_role("heading", name="Report a problem with a public-sector AI system")
    ).to_be_visible()
    page.get_by_role("button", name="Send the report").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.get_by_role("link", name="Description: This field is required.")).to_be_visible()

    page.get_by_label("Agency").select_option(label="Benefits Office")
    page.get_by_label("AI system").select_option(label="Claim triage")
    page.get_by_label("A misuse of a system").check()
    page.get_by_label("Description").fill("Claims from one postcode are all refused. <b>bold</b>")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Report received")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert Report.objects.get().reference == reference

    page.locator("#status-link").click()
    expect(page.get_by_role("heading", name=f"Report {reference}")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Received")
    status_url = page.url

    report = Report.objects.get()
    lead = report.agency.memberships.get().user
    services.triage(lead, report, "acknowledged", "Owner told.", "We are checking the postcodes.")
    page.goto(status_url)
    expect(page.locator("#status")).to_have_text("Acknowledged")
    expect(page.get_by_text("We are checking the postcodes.")).to_be_visible()
    context.close()


def test_public_pages_pass_axe(page, live_server, agency, axe_check):
    problems = {}
    page.goto(f"{live_server.url}/public/report/")
    problems["form"] = axe_check(page)
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems["form with errors"] = axe_check(page)
    page.get_by_label("Agency").select_option(label="Benefits Office")
    page.get_by_label("A technical vulnerability").check()
    page.get_by_label("Description").fill("The export link shows other people's claims.")
    page.get_by_label("Your e-mail address").fill("finder@example.net")
    page.get_by_role("button", name="Send the report").click()
    expect(page.get_by_role("heading", name="Report received")).to_be_visible()
    problems["received"] = axe_check(page)
    page.locator("#status-link").click()
    problems["status"] = axe_check(page)
    reference = Report.objects.get().reference
    page.goto(f"{live_server.url}/public/report/{reference}/")
    problems["lookup"] = axe_check(page)
    page.goto(f"{live_server.url}/public/disclosure-policy/")
    problems["policy"] = axe_check(page)
    page.goto(f"{live_server.url}/public/disclosure-policy/?lang=fr")
    problems["policy in French"] = axe_check(page)
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, failing
