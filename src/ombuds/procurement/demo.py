"""Demo data: a procurement with two bids for a bought system. Vendor A's "95 % accurate" is
refuted on the agency's own (synthetic) data for one group; vendor B's claim is supported; the
contract carries the clauses the system's impact level requires."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile

from . import services

SEED = 7


def _test_data() -> bytes:
    """2,000 labelled cases per group; vendor A's system is right 95 % of the time for group
    'urban' and 85 % for 'rural', vendor B's 96 % for both."""
    import numpy as np

    rng = np.random.default_rng(SEED)
    out = io.StringIO()
    out.write("outcome,region,vendor_a,vendor_b\n")
    for region, acc_a, acc_b in (("urban", 0.95, 0.96), ("rural", 0.85, 0.96)):
        n = 2000
        labels = rng.integers(0, 2, size=n)
        cols = []
        for acc in (acc_a, acc_b):
            right = np.zeros(n, dtype=bool)
            right[: round(n * acc)] = True
            rng.shuffle(right)
            cols.append(np.where(right, labels, 1 - labels))
        for y, a, b in zip(labels, cols[0], cols[1], strict=True):
            out.write(f"{y},{region},{a},{b}\n")
    return out.getvalue().encode()


def load(agency, system, people: dict):
    """Create the demo procurement; `people` maps demo usernames to users."""
    officer = people.get("procurement-officer") or people["governance-lead"]
    lead = people.get("governance-lead") or officer
    vendor_a = services.create_vendor(
        officer,
        agency,
        {
            "name": "Northwind Analytics",
            "registration_number": "NW-204-118",
            "country": "CA",
            "contact_name": "Sales desk",
            "contact_email": "bids@northwind.example",
        },
    )
    vendor_b = services.create_vendor(
        officer,
        agency,
        {
            "name": "Fairbanks Decision Systems",
            "registration_number": "FDS-88-310",
            "country": "FR",
            "contact_name": "Public sector team",
            "contact_email": "tenders@fairbanks.example",
        },
    )
    p = services.create_procurement(
        officer,
        agency,
        {
            "title": f"Triage support for {system.name}",
            "reference": "PROC-2026-014",
            "procedure": "open",
            "systems": [system.pk],
            "review_interval_months": 6,
        },
    )
    services.start_market_engagement(officer, p)
    bid_a = services.add_bid(
        officer, p, vendor_a, {"product": "Northwind Triage 4", "price": 410000}
    )
    bid_b = services.add_bid(officer, p, vendor_b, {"product": "FDS Priority", "price": 455000})
    services.start_evaluation(officer, p)

    claim_a = services.add_claim(
        officer,
        bid_a,
        {
            "wording": "95 % accurate",
            "metric": "accuracy",
            "value": 0.95,
            "population": "All applicants",
            "conditions": "On complete application files",
            "material": True,
            "every_group": True,
            "protected_attribute": "region",
        },
    )
    claim_b = services.add_claim(
        officer,
        bid_b,
        {
            "wording": "At least 93 % accurate for every region",
            "metric": "accuracy",
            "value": 0.93,
            "population": "All applicants",
            "material": True,
            "every_group": True,
            "protected_attribute": "region",
        },
    )
    dataset = services.upload_dataset(
        officer,
        p,
        SimpleUploadedFile("agency-test-cases-2026.csv", _test_data(), "text/csv"),
        "outcome",
    )
    services.verify_claim(officer, claim_a, dataset, prediction="vendor_a")
    services.verify_claim(officer, claim_b, dataset, prediction="vendor_b")

    # Vendor B answers the due diligence; the officer accepts every answer.
    request, _token = services.send_due_diligence(officer, bid_b)
    q = services.questionnaire_of(request)
    texts = {
        question.id: "Answered in the attached documentation; summary: " + question.text[:120]
        for question in q.questions
    }
    files = {
        question.id: [
            SimpleUploadedFile(
                f"{question.id}.md", b"# Evidence\n\nSee section 2.\n", "text/markdown"
            )
        ]
        for question in q.questions
        if question.evidence == "required"
    }
    services.vendor_answer(request, texts, files)
    for answer in request.answers.all():
        services.review_answer(officer, answer, "accepted", "")
    services.send_due_diligence(officer, bid_a)

    services.award(lead, p, bid_b)
    services.sign_contract(officer, p)
    return p
