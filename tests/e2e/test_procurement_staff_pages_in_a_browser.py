"""The officer's pages in a browser: comparison, claim, due diligence, clauses, reviews and the
procurement itself pass axe-core with no serious or critical violation; the clause form's error
summary is reachable."""

from __future__ import annotations

import pytest

from ombuds.procurement import demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_procurement_pages_are_accessible(page, live_server, world, axe_check):  # noqa: F811
    officer = world.users["procurement_officer"]
    p = demo.load(
        world.a, world.system_a, {"procurement-officer": officer, "governance-lead": world.lead}
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    base = f"{live_server.url}/agencies/{world.a.slug}/procurements/{p.pk}/"
    bid = p.bids.get(vendor__name="Fairbanks Decision Systems")
    claim = p.bids.get(vendor__name="Northwind Analytics").claims.get()
    problems = {}
    for name, url in {
        "list": f"{live_server.url}/agencies/{world.a.slug}/procurements/",
        "vendors": f"{live_server.url}/agencies/{world.a.slug}/vendors/",
        "detail": base,
        "comparison": base + "comparison/",
        "claim": base + f"claims/{claim.pk}/",
        "due diligence": base + f"bids/{bid.pk}/due-diligence/",
        "clauses": base + "clauses/",
        "pack": base + "clauses/pack/",
        "reviews": base + "reviews/",
    }.items():
        page.goto(url)
        assert page.locator("h1").count() == 1, name
        problems[name] = axe_check(page)
    page.goto(base + "comparison/")
    assert "Refuted" in page.locator("main").inner_text()
    assert {k: v for k, v in problems.items() if v} == {}
