"""The due-diligence life through the web: the officer sends a link, the vendor answers with a
file, the officer asks for more, the vendor answers again, the officer accepts."""

from __future__ import annotations

import re

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from ombuds.core.models import AuditEvent
from ombuds.procurement import services
from ombuds.procurement.models import Answer

from .helpers import make_procurement


def _send_link(officer_client, world, p, bid) -> str:
    url = f"/agencies/{world.a.slug}/procurements/{p.pk}/bids/{bid.pk}/due-diligence/send/"
    page = officer_client.post(url, {"days": 14})
    assert page.status_code == 200
    found = re.search(r'<code id="vendor-link">([^<]+)</code>', page.content.decode())
    assert found, "the new link is shown to the officer once"
    return found.group(1).replace("http://testserver", "")


def test_link_answer_review_needs_more_answer_again_accept(world):
    p, bid = make_procurement(world)
    officer = Client()
    officer.force_login(world.users["procurement_officer"])
    link = _send_link(officer, world, p, bid)
    assert link.startswith("/public/vendor-requests/")
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 22  # at least 128 bits in URL-safe base64
    request = bid.due_diligence
    assert token not in request.token_digest  # only the hash is stored

    vendor = Client()  # no account
    page = vendor.get(link)
    assert page.status_code == 200
    assert "Acme Analytics" in page.content.decode()
    assert "ILO Declaration" in page.content.decode()
    response = vendor.post(
        link,
        {
            "q-model-card": "Our model card is attached.",
            "f-model-card": SimpleUploadedFile("model-card.md", b"# Model card\n", "text/markdown"),
        },
    )
    assert response.status_code == 200
    answer = Answer.objects.get(request=request, question_id="model-card")
    assert answer.status == "submitted" and answer.files.count() == 1
    assert "model-card.md" in answer.files.get().original_name

    # The officer asks for more: the question reopens to the vendor with the officer's note.
    review_url = (
        f"/agencies/{world.a.slug}/procurements/{p.pk}/bids/{bid.pk}/due-diligence/answers/"
        f"{answer.pk}/"
    )
    officer.post(
        review_url,
        {f"a{answer.pk}-status": "needs_more", f"a{answer.pk}-notes": "Add the evaluation data."},
    )
    answer.refresh_from_db()
    assert answer.status == "needs_more"
    page = vendor.get(link).content.decode()
    assert "Add the evaluation data." in page
    assert 'name="q-model-card"' in page

    vendor.post(link, {"q-model-card": "Card attached; evaluation data in section 4."})
    answer.refresh_from_db()
    assert answer.status == "submitted" and answer.rounds == 2
    assert answer.files.count() == 1  # the earlier file still counts as the evidence

    officer.post(review_url, {f"a{answer.pk}-status": "accepted", f"a{answer.pk}-notes": ""})
    answer.refresh_from_db()
    assert answer.status == "accepted"
    page = vendor.get(link).content.decode()
    assert 'name="q-model-card"' not in page  # an accepted answer is closed to the vendor
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "procurement.due_diligence.send",
        "procurement.due_diligence.answer",
        "procurement.due_diligence.review",
    } <= actions
    assert not mail.outbox


def test_due_diligence_is_complete_only_when_every_answer_is_accepted(world):
    from .helpers import accept_everything, answer_everything

    p, bid = make_procurement(world)
    officer = world.users["procurement_officer"]
    request, _token = services.send_due_diligence(officer, bid)
    answer_everything(request)
    state = services.due_diligence_state(bid)
    assert not state["complete"] and state["counts"] == {"submitted": state["total"]}
    accept_everything(officer, request)
    assert services.due_diligence_state(bid)["complete"]


def test_a_question_that_asks_for_a_file_refuses_an_answer_without_one(world):
    p, bid = make_procurement(world)
    request, token = services.send_due_diligence(world.lead, bid)
    response = Client().post(
        f"/public/vendor-requests/{token}/", {"q-model-card": "We have a card, trust us."}
    )
    assert response.status_code == 422
    assert "asks for a file as evidence" in response.content.decode()
    assert Answer.objects.get(request=request, question_id="model-card").status == "open"


def test_reviewing_needs_notes_unless_accepting(world):
    import pytest
    from django.core.exceptions import ValidationError

    p, bid = make_procurement(world)
    request, _t = services.send_due_diligence(world.lead, bid)
    services.vendor_answer(request, {"licensing": "Apache 2.0 for the model."})
    answer = request.answers.get(question_id="licensing")
    with pytest.raises(ValidationError) as err:
        services.review_answer(world.lead, answer, "unacceptable", "")
    assert "notes" in err.value.message_dict


def test_staff_download_the_vendors_evidence(world):
    p, bid = make_procurement(world)
    request, _t = services.send_due_diligence(world.lead, bid)
    services.vendor_answer(
        request,
        {"model-card": "Attached."},
        {"model-card": [SimpleUploadedFile("card.md", b"# Card v4\n", "text/markdown")]},
    )
    evidence = request.answers.get(question_id="model-card").files.get()
    client = Client()
    client.force_login(world.users["assessor"])
    url = f"/agencies/{world.a.slug}/procurements/{p.pk}/bids/{bid.pk}/evidence/{evidence.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"# Card v4\n"
    assert "attachment" in response["Content-Disposition"]
    page = client.get(f"/agencies/{world.a.slug}/procurements/{p.pk}/bids/{bid.pk}/due-diligence/")
    assert url in page.content.decode()


def test_only_answers_to_the_questions_asked_now_count(world):
    """The questionnaire changed after the request went out: a question added since was never
    asked (no answer), and an answer to a question since removed does not stand in for it."""
    from .helpers import accept_everything, answer_everything

    p, bid = make_procurement(world)
    officer = world.users["procurement_officer"]
    request, _token = services.send_due_diligence(officer, bid)
    answer_everything(request)
    accept_everything(officer, request)
    Answer.objects.filter(request=request, question_id="log-access").delete()
    Answer.objects.create(request=request, question_id="retired-question", status="accepted")
    state = services.due_diligence_state(bid)
    assert not state["complete"]
    assert state["counts"]["accepted"] == state["total"] - 1
