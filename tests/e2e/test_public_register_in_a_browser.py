"""A member of the public finds a published record in the register, with JavaScript off, and
reads its page; both pages pass axe-core with no serious or critical violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ombuds.core.models import Agency, Membership
from ombuds.evaluations.services import record_result
from ombuds.registry.models import AISystem
from ombuds.transparency import services

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FIELDS = {
    "what_it_does": "Ranks benefit claims so that urgent ones are read first.",
    "use_in_decisions": "It ranks claims; a case worker decides every claim.",
    "human_role": "A case worker reads each claim and decides.",
    "data_used": "The claim form.",
    "risks": "Urgent claims ranked low; checked weekly.",
    "opt_out": "Ask for your claim to be read without the ranking.",
    "complaints": "Write to the complaints office.",
    "contact": "ai@benefits.example",
}


@pytest.fixture
def published(django_user_model):
    agency = Agency.objects.create(slug="benefits", name="Benefits Office", country="IE")
    owner = django_user_model.objects.create_user("owner", password="correct horse battery")
    lead = django_user_model.objects.create_user("lead", password="correct horse battery")
    Membership.objects.create(user=owner, agency=agency, role="system_owner")
    Membership.objects.create(user=lead, agency=agency, role="governance_lead")
    system = AISystem.objects.create(
        agency=agency,
        name="Claim triage",
        short_description="Ranks claims",
        sector="public_benefits",
        impact_determination="rights",
    )
    result = {
        "schema": "ombuds.audit/1",
        "config": {"protected": ["sex"]},
        "groups": [
            {"attributes": {"sex": "F"}, "n": 400, "suppressed": False, "metrics": {}},
            {"attributes": {"sex": "M"}, "n": 300, "suppressed": False, "metrics": {}},
        ],
        "disparities": [],
        "findings": [],
    }
    record_result(lead, system, result, characteristics={"sex": "sex_gender"})
    services.save_draft(owner, system, FIELDS)
    services.submit(owner, system)
    services.publish(lead, system)
    AISystem.objects.filter(pk=system.pk).update(stage="suspended")
    return system


def test_find_and_read_a_record_without_javascript(browser, live_server, published, axe_check):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/")
    expect(
        page.get_by_role("heading", name="Register of AI systems used by public agencies")
    ).to_be_visible()
    page.get_by_label("Search names and descriptions").fill("urgent")
    page.get_by_label("High-impact").select_option("yes")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("1 record", exact=True)).to_be_visible()
    page.get_by_role("link", name="Claim triage").click()
    expect(page.get_by_role("heading", name="Claim triage", level=1)).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("This system is suspended")
    expect(page.get_by_text(FIELDS["opt_out"])).to_be_visible()
    expect(page.get_by_role("link", name="Report an error in this record")).to_be_visible()
    expect(page.get_by_role("link", name="Report a misuse or a harm")).to_be_visible()
    context.close()


def test_register_and_system_page_pass_axe(browser, live_server, published, axe_check):
    page = browser.new_page()
    for url in ("/public/", f"/public/systems/{published.pk}/", "/public/agencies/benefits/"):
        page.goto(f"{live_server.url}{url}")
        assert axe_check(page) == [], url
    page.close()
