"""/.well-known/security.txt (RFC 9116) and the coordinated disclosure policy it points at."""

from __future__ import annotations

import datetime as dt
import re

import pytest

pytestmark = pytest.mark.django_db


def fields(text: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        name, _sep, value = line.partition(": ")
        assert re.fullmatch(r"[A-Za-z-]+", name), line
        found.setdefault(name.lower(), []).append(value)
    return found


def test_security_txt_is_plain_text_and_never_redirects(client):
    for lang in ("", "?lang=fr"):
        response = client.get("/.well-known/security.txt" + lang, HTTP_ACCEPT_LANGUAGE="es")
        assert response.status_code == 200
        assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert client.get("/fr/.well-known/security.txt").status_code == 404


def test_security_txt_fields(client):
    body = client.get("/.well-known/security.txt", secure=True).content.decode()
    assert body.endswith("\n")
    found = fields(body)
    assert found["contact"] == ["https://testserver/public/report/"]
    assert found["policy"] == ["https://testserver/public/disclosure-policy/"]
    assert found["preferred-languages"] == ["en, fr, es"]
    assert found["canonical"] == ["https://testserver/.well-known/security.txt"]
    (expires,) = found["expires"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", expires)
    when = dt.datetime.strptime(expires, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    ahead = when - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=363) < ahead <= dt.timedelta(days=365)
    # Every place it points at answers, without an account.
    for url in found["contact"] + found["policy"]:
        assert client.get(url.replace("https://testserver", "")).status_code == 200


def test_the_policy_states_response_times_in_plain_language(client, world):
    from ombuds.feedback import services

    services.save_settings(world.lead, world.a, 5)
    html = client.get("/public/disclosure-policy/").content.decode()
    assert "<h1>Coordinated disclosure policy</h1>" in html
    assert 'href="/public/report/"' in html
    assert re.search(r"Agency A</th><td class=\"num\">5<", html)
    assert re.search(r"Agency B</th><td class=\"num\">10<", html)
    assert "90 days" in html
    french = client.get("/public/disclosure-policy/", HTTP_ACCEPT_LANGUAGE="fr")
    assert french.status_code == 200 and 'lang="fr"' in french.content.decode()
