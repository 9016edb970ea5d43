"""Oversized input is refused with a message that says what to shorten, and nothing is kept."""

from __future__ import annotations

import pytest

from ombuds.feedback.models import Report

pytestmark = pytest.mark.django_db


def test_a_description_over_the_limit_is_refused_by_name(send_report, world):
    response = send_report(world.a, description="x" * 5001)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Description: Ensure this value has at most 5000 characters (it has 5001)." in html
    assert not Report.objects.exists()
    assert send_report(world.a, description="x" * 5000).status_code == 200


def test_a_huge_request_is_refused_before_it_is_read(client, world):
    response = client.post(
        "/public/report/",
        {"agency": world.a.pk, "kind": "harm", "description": "x" * 200_000},
    )
    assert response.status_code == 413
    assert "too long" in response.content.decode()
    assert not Report.objects.exists()


def test_an_overlong_email_address_is_refused(send_report, world):
    response = send_report(world.a, contact_email="a" * 250 + "@example.org")
    assert response.status_code == 400
    assert "Your e-mail address" in response.content.decode()
    assert not Report.objects.exists()


def test_text_a_database_cannot_store_is_refused(send_report, world):
    response = send_report(world.a, description="bad \x00 byte")
    assert response.status_code == 400
    assert not Report.objects.exists()
