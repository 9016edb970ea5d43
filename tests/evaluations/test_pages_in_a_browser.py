"""The evaluations pages in a real browser, as an assessor uses them: say which characteristics
the audit must cover, run an audit on a CSV and watch it finish, address its findings; every page
passes axe-core. Runs where Debian's chromium is installed (see tests/e2e)."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from ombuds.core.models import Agency, Membership
from ombuds.registry.models import AISystem
from tests.e2e.conftest import axe_check, browser_type_launch_args  # noqa: F401 (fixtures)

from .conftest import decision_log

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def system(django_user_model):
    agency = Agency.objects.create(slug="benefits", name="Benefits Office", country="IE")
    user = django_user_model.objects.create_user("lead", password="correct horse battery")
    Membership.objects.create(user=user, agency=agency, role="governance_lead")
    return AISystem.objects.create(
        agency=agency, name="Claim triage", short_description="Ranks claims", sector="other"
    )


def test_audit_and_address_findings(page, live_server, system, tmp_path, axe_check):  # noqa: F811
    problems = {}
    log = tmp_path / "claims.csv"
    buffer = io.StringIO()
    decision_log(gap=True, per_group=60).to_csv(buffer, index=False)
    log.write_text(buffer.getvalue())

    page.goto(f"{live_server.url}/systems/{system.pk}/evaluations/")
    page.get_by_label("Username").fill("lead")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Evaluations of Claim triage")).to_be_visible()
    problems["list"] = axe_check(page)

    page.get_by_role("link", name="Say which protected characteristics").click()
    problems["characteristics"] = axe_check(page)
    for code in ("race", "ethnicity", "disability", "sexual_orientation", "gender_identity"):
        page.locator(f"#id_{code}-applies").uncheck()
    page.locator("#id_sex_gender-collected_0").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the protected characteristics.")).to_be_visible()

    page.get_by_role("navigation", name="This system").get_by_role(
        "link", name="Evaluations"
    ).click()
    page.get_by_role("link", name="Run a bias audit").click()
    problems["run form"] = axe_check(page)
    page.get_by_label("Decision log (CSV or Parquet)").set_input_files(str(log))
    page.get_by_label("Column of the true outcome").fill("outcome")
    page.get_by_label("Column of the system's decision").fill("decision")
    page.get_by_label("Protected columns").fill("sex, ethnicity")
    page.get_by_role("button", name="Start the audit").click()
    expect(page.get_by_text("Waiting for a worker to start the audit.")).to_be_visible()
    problems["queued run"] = axe_check(page)

    call_command("worker", "--batch", "--verbosity", "0")
    # The page notices by itself that the run ended, and shows the result.
    expect(page.get_by_role("heading", name="Disparities")).to_be_visible(timeout=15_000)
    expect(page.get_by_text("Not addressed yet")).to_be_visible()
    problems["done run"] = axe_check(page)

    page.get_by_role("link", name="Record what was done about the findings").click()
    problems["response form"] = axe_check(page)
    page.get_by_label("What was done about the findings").fill(
        "The score threshold was recalibrated for women; a re-audit follows in June."
    )
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Recorded what was done about the findings.")).to_be_visible()

    page.get_by_role("navigation", name="This system").get_by_role(
        "link", name="Evaluations"
    ).click()
    expect(page.locator("#coverage-h + p .badge")).to_have_text("Met")

    page.get_by_role("link", name="Record a peer review").click()
    page.get_by_role("button", name="Record the review").click()
    expect(page.locator(".error-summary")).to_be_visible()
    problems["peer review form with errors"] = axe_check(page)

    failing = {name: found for name, found in problems.items() if found}
    assert not failing, failing
