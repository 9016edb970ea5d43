"""The issue's end-to-end path in a real browser: two staff members publish a record; a member
of the public finds it on /public/, comments on its open consultation and asks to opt out —
with JavaScript off, and by keyboard only — then staff see the request in their queue. Every
public page visited passes axe-core with no serious or critical violation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ombuds.core.models import Agency, Membership
from ombuds.registry.models import AISystem
from ombuds.transparency import services
from ombuds.transparency.models import ConsultationComment, OptOutRequest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def published(django_user_model):
    agency = Agency.objects.create(slug="benefits", name="Benefits Office", country="IE")
    owner = django_user_model.objects.create_user("owner", "owner@example.org", PASSWORD)
    lead = django_user_model.objects.create_user("lead", "lead@example.org", PASSWORD)
    worker = django_user_model.objects.create_user("worker", "worker@example.org", PASSWORD)
    Membership.objects.create(user=owner, agency=agency, role="system_owner")
    Membership.objects.create(user=lead, agency=agency, role="governance_lead")
    Membership.objects.create(user=worker, agency=agency, role="case_worker")
    system = AISystem.objects.create(
        agency=agency,
        name="Claim triage",
        short_description="Ranks claims",
        sector="public_benefits",
        stage="deployed",
    )
    services.save_draft(
        owner,
        system,
        {
            "what_it_does": "Ranks benefit claims so that urgent ones are read first.",
            "use_in_decisions": "A case worker decides every claim.",
            "complaints": "Write to the complaints office.",
            "contact": "ai@benefits.example",
            "opt_out_available": True,
            "human_alternative_available": True,
        },
    )
    services.submit(owner, system)
    services.publish(lead, system)  # a second person publishes
    today = timezone.localdate()
    services.open_consultation(
        lead,
        system,
        {
            "title": "Should claims be ranked?",
            "opens_on": today - dt.timedelta(days=1),
            "closes_on": today + dt.timedelta(days=20),
            "questions": ["Is the ranking fair?"],
        },
    )
    return system


def _tab_to(page, target: str, limit: int = 80) -> list[str]:
    """Press Tab until the element with id `target` has focus; return the ids passed on the way."""
    seen = []
    for _i in range(limit):
        page.keyboard.press("Tab")
        current = page.evaluate("() => document.activeElement && document.activeElement.id")
        seen.append(current or "")
        if current == target:
            return seen
    raise AssertionError(f"Tab never reached #{target}; focus went through {seen}")


def test_publish_find_comment_opt_out_and_staff_see_it(browser, live_server, published, axe_check):
    visited = []
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()

    # A member of the public finds the record on the register.
    page.goto(f"{live_server.url}/public/")
    visited.append(page.url)
    page.get_by_label("Search names and descriptions").fill("triage")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="Claim triage").click()
    expect(page.get_by_role("heading", name="Claim triage", level=1)).to_be_visible()
    visited.append(page.url)

    # Comments on the open consultation, by keyboard only.
    page.get_by_role("link", name="Should claims be ranked?").click()
    expect(page.get_by_role("heading", name="Send your comments")).to_be_visible()
    visited.append(page.url)
    page.locator("#main").focus()
    order = _tab_to(page, "id_answer_0")
    page.keyboard.type("It is fair if a person checks.")
    order += _tab_to(page, "id_general")
    page.keyboard.type("Please publish the test results.")
    order += _tab_to(page, "id_name")
    page.keyboard.type("Sam")
    order += _tab_to(page, "id_show_name")
    page.keyboard.press("Tab")
    submit = page.evaluate("() => document.activeElement.textContent.trim()")
    assert submit == "Send the comments", order
    fields = [i for i in order if i.startswith("id_")]
    assert fields == ["id_answer_0", "id_general", "id_name", "id_show_name"]
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Comments received")).to_be_visible()
    visited.append(page.url)
    comments = ConsultationComment.objects.order_by("id")
    assert [c.text for c in comments] == [
        "It is fair if a person checks.",
        "Please publish the test results.",
    ]
    assert all(c.name == "Sam" and not c.show_name for c in comments)

    # Asks to opt out, by keyboard only: first without any way to answer (refused, summary).
    page.goto(f"{live_server.url}/public/systems/{published.pk}/")
    page.get_by_role("link", name="Ask to opt out or for a person").click()
    visited.append(page.url)
    page.get_by_role("button", name="Send the request").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("Give at least one way to answer you")
    visited.append(page.url + "#with-errors")
    page.locator("#main").focus()
    order = _tab_to(page, "id_name")
    page.keyboard.type("Sam Jones")
    order += _tab_to(page, "id_contact_email")
    page.keyboard.type("sam@example.net")
    order += _tab_to(page, "id_details")
    page.keyboard.type("Claim 2026-114")
    fields = [i for i in order if i.startswith("id_")]
    assert fields == [
        "id_name",
        "id_case_reference",
        "id_contact_email",
        "id_contact_phone",
        "id_contact_post",
        "id_details",
    ]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent.trim()") == "Send the request"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Received")).to_be_visible()
    reference = page.locator("#reference").inner_text()
    assert OptOutRequest.objects.get().reference == reference
    page.locator("#status-link").click()
    expect(page.locator("#status")).to_have_text("Received")
    visited.append(page.url)
    context.close()

    # Staff log in and see the request in their queue.
    staff = browser.new_page()
    staff.goto(f"{live_server.url}/agencies/benefits/opt-out-requests/")
    staff.get_by_label("Username").fill("worker")
    staff.get_by_label("Password").fill(PASSWORD)
    staff.get_by_role("button", name="Log in").click()
    staff.wait_for_url("**/opt-out-requests/")
    expect(staff.get_by_role("link", name=reference)).to_be_visible()
    staff.get_by_role("link", name=reference).click()
    expect(staff.get_by_text("sam@example.net")).to_be_visible()
    staff.close()

    # Every public page visited, with JavaScript on for axe-core.
    problems = {}
    checker = browser.new_page()
    for url in visited:
        if url.endswith("#with-errors"):
            checker.goto(url.removesuffix("#with-errors"))
            checker.get_by_role("button", name="Send the request").click()
            expect(checker.locator(".error-summary")).to_be_visible()
        else:
            checker.goto(url)
        problems[url] = axe_check(checker)
    checker.close()
    assert not any(problems.values()), problems


def test_the_new_staff_pages_pass_axe(browser, live_server, published, axe_check):
    consultation = published.consultations.get()
    services.submit_comment(consultation, answers={0: "A pending answer."})
    request, _token = services.request_opt_out(published, {"contact_email": "p@example.net"})
    error, _token = services.report_record_error(published, description="Old contact.")
    page = browser.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard/")
    system = published.pk
    urls = [
        f"/systems/{system}/public-record/",
        f"/systems/{system}/public-record/edit/",
        f"/systems/{system}/consultations/",
        f"/systems/{system}/consultations/new/",
        f"/systems/{system}/consultations/{consultation.pk}/",
        f"/systems/{system}/consultations/{consultation.pk}/edit/",
        "/agencies/benefits/consultations/moderation/",
        "/agencies/benefits/opt-out-requests/",
        f"/systems/{system}/opt-out-requests/{request.pk}/",
        "/agencies/benefits/record-errors/",
        f"/systems/{system}/record-errors/{error.pk}/",
        "/agencies/benefits/ai-policy/",
    ]
    problems = {}
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        problems[url] = axe_check(page)
    page.close()
    assert not any(problems.values()), {k: v for k, v in problems.items() if v}
