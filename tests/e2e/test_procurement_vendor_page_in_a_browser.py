"""The vendor's due-diligence page in a real browser, with JavaScript off and a keyboard: the
vendor answers with a file, errors are summarised with links, and axe-core finds no serious or
critical violation. (Fixtures come from tests/e2e/conftest.py.)"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ombuds.procurement import services
from ombuds.procurement.models import Answer
from tests.procurement.helpers import make_procurement

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_vendor_answers_without_javascript(browser, live_server, world, axe_check, tmp_path):  # noqa: F811
    p, bid = make_procurement(world)
    _request, token = services.send_due_diligence(world.lead, bid)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/public/vendor-requests/{token}/")
    expect(
        page.get_by_role("heading", name="Due diligence for vendors of AI systems")
    ).to_be_visible()
    assert axe_check_js(browser, live_server, token, axe_check) == []

    page.locator("#q-model-card").fill("Our model card is attached.")
    page.get_by_role("button", name="Send answers").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(
        summary.get_by_role("link", name="This question asks for a file as evidence.")
    ).to_be_visible()

    card = tmp_path / "model-card.md"
    card.write_text("# Model card\n")
    page.locator("#f-model-card").set_input_files(str(card))
    page.locator("#q-model-card").press("Tab")
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_text("your answers were sent for review")).to_be_visible()
    assert Answer.objects.get(question_id="model-card", request__bid=bid).status == "submitted"
    context.close()


def axe_check_js(browser, live_server, token, axe_check):  # noqa: F811
    """axe needs JavaScript: check the same page in a context where it runs."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/public/vendor-requests/{token}/")
    found = axe_check(page)
    context.close()
    return found
