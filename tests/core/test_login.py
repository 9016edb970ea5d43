"""Log in, out, change and reset a password; repeated failures lock the account for a while."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client


@pytest.fixture
def lead(world):
    return world.lead


def login(client, username, password):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_log_in_and_out(lead):
    client = Client()
    response = login(client, lead.username, "correct horse battery")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200
    assert client.post("/accounts/logout/").status_code in (200, 302)
    assert client.get("/dashboard/").status_code == 302


def test_wrong_password_shows_an_error_and_no_session(lead):
    client = Client()
    response = login(client, lead.username, "wrong")
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_repeated_failures_lock_the_account(lead, settings):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, lead.username, "guess")
    locked = login(client, lead.username, "correct horse battery")
    assert locked.status_code == 429
    assert "Too many failed log-in attempts" in locked.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_password_reset_by_email(lead):
    client = Client()
    response = client.post("/accounts/password/reset/", {"email": lead.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [lead.email]
    link = re.search(
        r"http://testserver(/accounts/password/reset/\S+/)", mail.outbox[0].body
    ).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a brand new passphrase", "new_password2": "a brand new passphrase"},
    )
    assert done.status_code == 302
    assert login(Client(), lead.username, "a brand new passphrase").status_code == 302


def test_password_change(lead):
    client = Client()
    client.force_login(lead)
    response = client.post(
        "/accounts/password/change/",
        {
            "old_password": "correct horse battery",
            "new_password1": "another long passphrase",
            "new_password2": "another long passphrase",
        },
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.check_password("another long passphrase")


def test_passwords_are_hashed_with_argon2_in_production_settings():
    from django.conf import settings as real

    from ombuds import settings as configured

    assert configured.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert real.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
