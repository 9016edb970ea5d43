"""A view-only role (the system owner) sees dates, states and outcomes of a case, never the
appellant's contact details, grounds or the reasons: not on the case page, not after a step it
tried, not in the decision letter or its PDF."""

from __future__ import annotations

import pytest

from ombuds.remedy import services

PRIVATE = [
    "Ada Appellant",
    "ada.appellant@example.net",
    "+44 20 7946 0991",
    "My income was counted twice",
    "Reasons naming Ada",
]


@pytest.fixture
def decided(world, appeal, t0):
    case, _token = appeal
    services.transition(world.lead, case, "acknowledged", now=t0)
    services.transition(world.lead, case, "in_review", now=t0)
    services.transition(
        world.lead, case, "decided", outcome="upheld", reasons="Reasons naming Ada", now=t0
    )
    return case


def test_no_response_shows_a_view_only_role_the_appellant(world, client, decided):
    client.force_login(world.users["system_owner"])
    base = f"/agencies/{world.a.slug}/appeals/{decided.pk}/"
    responses = [
        client.get(base),
        client.post(base + "step/", {"to": "closed"}),
        client.post(base + "step/", {"to": "nowhere"}),
        client.get(base + "letter/"),
        client.get(base + "letter.pdf"),
    ]
    assert responses[0].status_code == 200 and "Decision upheld" in responses[0].content.decode()
    assert responses[1].status_code == 403 and responses[2].status_code == 403
    for response in responses:
        body = response.content.decode(errors="replace")
        for secret in PRIVATE:
            assert secret not in body, (response.request["PATH_INFO"], secret)
    decided.refresh_from_db()
    assert decided.state == "decided"


def test_a_case_worker_still_sees_them_after_a_failed_step(world, client, decided):
    client.force_login(world.users["case_worker"])
    base = f"/agencies/{world.a.slug}/appeals/{decided.pk}/"
    failed = client.post(base + "step/", {"to": "remedy_done"})
    assert failed.status_code == 400
    assert "ada.appellant@example.net" in failed.content.decode()
    assert "Reasons naming Ada" in client.get(base + "letter/").content.decode()
