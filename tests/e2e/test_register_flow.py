"""The issue's 'done when', in a real browser: a governance lead logs in, registers a system,
classifies it, moves it to pilot and reads its history; every page passes axe-core."""

from __future__ import annotations

import pytest

from ombuds.core.models import Agency, Membership

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def lead(django_user_model):
    agency = Agency.objects.create(
        slug="tax", name="Tax Office", country="NZ", brand_colour="#7a1f3d"
    )
    user = django_user_model.objects.create_user("lead", password="correct horse battery")
    Membership.objects.create(user=user, agency=agency, role="governance_lead")
    return user


def test_register_classify_move_and_read_history(page, live_server, lead, axe_check):
    problems = {}
    page.goto(f"{live_server.url}/dashboard/")
    assert "/accounts/login/" in page.url
    problems["login"] = axe_check(page)
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
    assert page.get_by_role("heading", name="AI systems at a glance").is_visible()
    assert "Tax Office" in page.locator("header").inner_text()
    problems["dashboard"] = axe_check(page)

    page.get_by_role("link", name="Register a system").first.click()
    problems["register form"] = axe_check(page)
    page.get_by_role("button", name="Register").click()  # empty: the error summary links to fields
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert summary.get_by_role("link", name="Name: This field is required.").is_visible()
    problems["register form with errors"] = axe_check(page)
    page.get_by_label("Name").fill("Tax debt prioritisation")
    page.get_by_label("Short description").fill("Ranks overdue tax debts for collection officers.")
    page.get_by_label("Sector").select_option("public_benefits")
    page.get_by_label("Role in decisions").select_option("triage")
    page.get_by_role("button", name="Register").click()
    page.wait_for_url("**/systems/*/")
    assert page.get_by_role("heading", name="Tax debt prioritisation").is_visible()
    problems["system page"] = axe_check(page)

    page.get_by_role("link", name="Classify impact").click()
    problems["classify form"] = axe_check(page)
    page.get_by_label("Does it profile, score or rank individual people?").check()
    page.get_by_label("Neither").check()
    page.get_by_role("button", name="Record the determination").click()
    assert page.locator(".error-summary").is_visible()  # presumed high-impact: needs a reason
    page.get_by_label("Rights-impacting", exact=True).check()
    page.get_by_role("button", name="Record the determination").click()
    page.wait_for_url("**/systems/*/")
    assert page.get_by_text("Rights-impacting").first.is_visible()

    page.get_by_role("link", name="Change stage").click()
    page.get_by_label("Development", exact=True).check()
    page.get_by_label("Reason").fill("Ready for development")
    page.get_by_role("button", name="Move").click()
    page.wait_for_url("**/systems/*/")
    assert page.locator(".title-row .badge").inner_text() == "Development"

    # A rights-impacting system with no approved assessment: the gate refuses the pilot.
    page.get_by_role("link", name="Change stage").click()
    page.get_by_label("Pilot", exact=True).check()
    page.get_by_label("Reason").fill("Ready for pilot")
    page.get_by_role("button", name="Move").click()
    summary = page.locator(".error-summary")
    assert summary.is_visible()
    assert "The gate blocks the move to pilot" in summary.inner_text()
    assert "assessments.assessment-approved" in summary.inner_text()

    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("link", name="Gate").first.click()
    assert page.get_by_role("heading", name="What Tax debt prioritisation still needs").is_visible()
    assert page.locator("#control-assessments\\.assessment-approved .badge").inner_text() == "unmet"
    problems["gate"] = axe_check(page)

    page.get_by_role("link", name="History").first.click()
    rows = page.locator("tbody tr")
    text = rows.all_inner_texts()
    assert any("system.transition" in r and "design → development" in r for r in text)
    assert any("system.determine" in r for r in text) and any("system.create" in r for r in text)
    problems["history"] = axe_check(page)

    failing = {name: found for name, found in problems.items() if found}
    assert not failing, failing
