"""Builders for procurement tests, and what the permission matrix needs for this app's routes:
records by URL parameter (`matrix_records`), API request bodies (`API_BODIES`, `API_SETUP`)."""

from __future__ import annotations

import io

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile

SEED = 20261127


def synthetic(
    groups: dict[str, tuple[int, float]], *, seed: int = SEED, prediction: str = "pred"
) -> bytes:
    """CSV bytes with label, group and a prediction that is right for exactly round(n * accuracy)
    rows of each group: {group: (rows, accuracy)}. The truth is known by construction."""
    rng = np.random.default_rng(seed)
    lines = [f"label,group,{prediction}"]
    for name, (n, accuracy) in groups.items():
        labels = rng.integers(0, 2, size=n)
        right = np.zeros(n, dtype=bool)
        right[: round(n * accuracy)] = True
        rng.shuffle(right)
        preds = np.where(right, labels, 1 - labels)
        lines += [f"{y},{name},{p}" for y, p in zip(labels, preds, strict=True)]
    return ("\n".join(lines) + "\n").encode()


def two_vendor_data(seed: int = SEED) -> bytes:
    """The agency's own test data with both vendors' predictions: vendor A's system is right 95 %
    of the time for group A and 85 % for group B (2,000 rows each); vendor B's 97 % for both."""
    rng = np.random.default_rng(seed)
    out = io.StringIO()
    out.write("label,group,pred_a,pred_b\n")
    for name, acc_a, acc_b in (("A", 0.95, 0.97), ("B", 0.85, 0.97)):
        n = 2000
        labels = rng.integers(0, 2, size=n)
        cols = []
        for acc in (acc_a, acc_b):
            right = np.zeros(n, dtype=bool)
            right[: round(n * acc)] = True
            rng.shuffle(right)
            cols.append(np.where(right, labels, 1 - labels))
        for y, pa, pb in zip(labels, cols[0], cols[1], strict=True):
            out.write(f"{y},{name},{pa},{pb}\n")
    return out.getvalue().encode()


def csv_upload(data: bytes, name: str = "test-data.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, "text/csv")


def make_procurement(world, own: bool = True, *, system=None, title="Case triage tool", **kw):
    """A procurement in agency A (own) or B buying the agency's system, with one vendor's bid."""
    from ombuds.procurement import services

    agency = world.a if own else world.b
    lead = world.lead if own else world.other_lead
    system = system or (world.system_a if own else world.system_b)
    vendor = services.create_vendor(
        lead, agency, {"name": kw.pop("vendor", "Acme Analytics"), "country": "CA"}
    )
    p = services.create_procurement(
        lead,
        agency,
        {"title": title, "procedure": "open", "systems": [system.pk], **kw},
    )
    bid = services.add_bid(lead, p, vendor, {"product": "Triage 3"})
    return p, bid


def answer_everything(request, text="Our full answer, with the documents attached."):
    """The vendor answers every open question, attaching a text file where evidence is asked."""
    from ombuds.procurement import services

    q = services.questionnaire_of(request)
    texts = {question.id: text for question in q.questions}
    files = {
        question.id: [SimpleUploadedFile(f"{question.id}.md", b"# Evidence\n", "text/markdown")]
        for question in q.questions
        if question.evidence == "required"
    }
    return services.vendor_answer(request, texts, files)


def accept_everything(officer, request):
    from ombuds.procurement import services

    for answer in request.answers.all():
        services.review_answer(officer, answer, "accepted", "")


def matrix_records(world, own: bool) -> dict:
    """One of each procurement record in agency A (own) or B, by URL parameter."""
    from ombuds.procurement import services
    from ombuds.procurement.models import Review

    lead = world.lead if own else world.other_lead
    p, bid = make_procurement(world, own)
    request, token = services.send_due_diligence(lead, bid)
    services.vendor_answer(
        request,
        {"model-card": "Attached."},
        {"model-card": [SimpleUploadedFile("card.md", b"# Card\n", "text/markdown")]},
    )
    answer = request.answers.get(question_id="model-card")
    claim = services.add_claim(lead, bid, {"metric": "accuracy", "value": 0.9})
    data = synthetic({"x": (60, 0.9), "y": (60, 0.9)})
    services.upload_dataset(lead, p, csv_upload(data), "label")
    review = Review.objects.create(procurement=p, due_on=p.created_at.date())
    return {
        "procurement": p.pk,
        "procurement_id": p.pk,
        "bid": bid.pk,
        "answer": answer.pk,
        "evidence": answer.files.get().pk,
        "claim": claim.pk,
        "claim_id": claim.pk,
        "review": review.pk,
        "vendor_token": token,
    }


def _home_agency(world, own, user):
    """POST /procurements creates in the caller's own agency (B for B's lead, else A)."""
    world.procurement_agency = world.b.slug if user == world.other_lead else world.a.slug


def _dataset(world, own) -> int | None:
    from ombuds.procurement.models import LocalDataset

    agency = world.a if own else world.b
    found = LocalDataset.objects.filter(procurement__agency=agency).order_by("-id").first()
    return found.pk if found else None


API_BODIES = {
    ("post", "/api/v1/procurements"): lambda w, own: {
        "agency": getattr(w, "procurement_agency", w.a.slug),
        "title": "Fraud-risk scoring",
        "procedure": "open",
    },
    ("post", "/api/v1/procurements/{procurement_id}/claims"): lambda w, own: {
        "bid_id": __import__("ombuds.procurement.models", fromlist=["Bid"])
        .Bid.objects.filter(procurement__agency=w.a if own else w.b)
        .order_by("-id")
        .first()
        .pk,
        "metric": "accuracy",
        "value": 0.95,
        "wording": "95 % accurate",
    },
    ("post", "/api/v1/claims/{claim_id}/verify"): lambda w, own: {
        "dataset_id": _dataset(w, own),
        "prediction": "pred",
    },
}
API_SETUP = {("post", "/api/v1/procurements"): _home_agency}


def _bought_not_assured(system, team):
    """The gate's ready system turns out to be bought: a procurement links it, not yet awarded."""
    from ombuds.procurement import services

    services.create_procurement(
        team.lead,
        system.agency,
        {"title": "Licence for the system", "procedure": "direct", "systems": [system.pk]},
    )


# How to break this app's gate evidence on the gate's ready system (tests/registry/test_gate.py).
GATE_BREAKS = {"procurement.vendor-assured": _bought_not_assured}
