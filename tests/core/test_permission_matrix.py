"""Every staff page and every API operation × every role × own agency / other agency / anonymous.

The rules come from the views themselves (`@access`) and from the API schema (`x-ombuds-access`):
a view or operation that declares none fails here, so nothing new ships without a rule.
"""

from __future__ import annotations

import json
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from ombuds.core.roles import PERMISSIONS, ROLES
from tests.app_helpers import app_helpers

SKIP_NAMESPACES = {"admin", "api"}  # admin: Django's own staff check (tested below); api: by schema

PRINCIPALS = ["anonymous", *ROLES, "superuser", "other_agency_lead"]


def walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p


def web_routes():
    return sorted(walk(get_resolver().url_patterns), key=lambda r: r[0])


def principal_user(world, who):
    return {
        "anonymous": None,
        "superuser": world.admin,
        "other_agency_lead": world.other_lead,
        **world.users,
    }[who]


def records(world, own: bool) -> dict[str, int]:
    """One of each record a route can name, in agency A (own) or B, by URL parameter."""
    import datetime as dt

    from django.core.files.uploadedfile import SimpleUploadedFile

    from ombuds.assessments import services as assessments
    from ombuds.assessments.models import Condition
    from ombuds.registry.services import add_attachment, grant_waiver

    system = world.system_a if own else world.system_b
    lead = world.lead if own else world.other_lead
    attachment = add_attachment(
        lead, system, "model", SimpleUploadedFile("a.txt", b"notes", "text/plain")
    )
    assessment = assessments.start(lead, system, "ombuds-impact-assessment")
    risk = assessments.add_risk(
        lead,
        assessment,
        {
            "risk": "r",
            "affected_groups": "g",
            "likelihood": 2,
            "severity": 3,
            "mitigation": "m",
            "owner": "o",
            "residual": "low",
        },
    )
    condition = Condition.objects.create(assessment=assessment, text="c")
    waiver = grant_waiver(
        lead,
        system,
        "registry.system-documented",
        "Documentation is being written by the vendor this month.",
        dt.date.today() + dt.timedelta(days=30),
    )
    found = {
        "att": attachment.pk,
        "assessment": assessment.pk,
        "risk": risk.pk,
        "condition": condition.pk,
        "waiver": waiver.pk,
    }
    # Each app's tests say which records its routes name (tests/<app>/helpers.py).
    for helpers in app_helpers():
        more = getattr(helpers, "matrix_records", None)
        if more is not None:
            found.update(more(world, own))
    return found


def fill(route: str, world, own: bool, objects: dict[str, int]) -> str:
    system = world.system_a if own else world.system_b
    agency = world.a if own else world.b
    url = "/" + route
    if route.startswith("assessments/<int:pk>"):
        url = url.replace("<int:pk>", str(objects["assessment"]))
    if route.startswith("incidents/<int:pk>"):
        url = url.replace("<int:pk>", str(objects["incident"]))
    if route.startswith("reports/<int:pk>"):
        url = url.replace("<int:pk>", str(objects["report"]))
    url = url.replace("<int:pk>", str(system.pk)).replace("<slug:slug>", agency.slug)
    url = url.replace("<str:kind>", "model")
    url = url.replace("<str:section>", "purpose")
    for name, pk in objects.items():
        url = url.replace(f"<int:{name}>", str(pk)).replace(f"<str:{name}>", str(pk))
    url = url.replace("<uidb64>", "MQ").replace("<token>", "set-password")
    assert "<" not in url, f"the matrix does not know how to fill {route}"
    return url


def membership(who):
    """(agency key, role) of a principal: role users belong to A, the other lead to B."""
    if who == "other_agency_lead":
        return "b", "governance_lead"
    return "a", who


def expected_web(rule, who, own, object_scoped):
    if rule == "public":
        return "public"
    if who == "anonymous":
        return "login"
    if rule == "login" or who == "superuser":
        return 200
    home, role = membership(who)
    holds = role in PERMISSIONS[rule]
    if object_scoped and (home == "a") != own:
        return 404
    return 200 if holds else 403


@pytest.mark.django_db
def test_every_web_route_declares_its_rule():
    missing = [route for route, p in web_routes() if not hasattr(p.callback, "ombuds_access")]
    assert not missing, f"views without an @access rule: {missing}"


@pytest.mark.parametrize("route", [r for r, _p in web_routes()])
def test_web_route_matrix(route, world, make_user, tmp_path):
    pattern = dict(web_routes())[route]
    rule = getattr(pattern.callback, "ombuds_access", None)
    assert rule is not None, f"{route} declares no access rule"
    object_scoped = "<int:pk>" in route or "<slug:slug>" in route
    objects = {own: records(world, own) for own in (True, False)}
    wrong = []
    for who in PRINCIPALS:
        for own in (True, False):
            client = Client()
            user = principal_user(world, who)
            if user is not None:
                client.force_login(user)
            url = fill(route, world, own, objects[own])
            with transaction.atomic():
                response = client.get(url)
                transaction.set_rollback(True)
            want = expected_web(rule, who, own, object_scoped)
            got = response.status_code
            if want == "public":
                ok = got not in (401, 403, 404) and "/accounts/login/" not in response.get(
                    "Location", ""
                )
            elif want == "login":
                ok = got == 302 and response["Location"].startswith("/accounts/login/")
            elif want == 200:
                # Allowed: the page (200), or for an action that only takes POST, a redirect
                # back to the record — never to the login page.
                ok = got == 200 or (
                    got == 302 and not response["Location"].startswith("/accounts/login/")
                )
            else:
                ok = got == want
            if not ok:
                wrong.append(f"{who} {'own' if own else 'other'} GET {url}: {got}, expected {want}")
    assert not wrong, "\n".join(wrong)


def test_admin_is_for_platform_admins_only(world):
    client = Client()
    client.force_login(world.lead)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(world.admin)
    assert client.get("/admin/").status_code == 200


# --- API -------------------------------------------------------------------------------------

BODIES = {
    ("post", "/api/v1/systems"): lambda w, own: {
        "agency": (w.a if own else w.b).slug,
        "name": "New",
        "short_description": "x",
        "sector": "other",
    },
    ("patch", "/api/v1/systems/{system_id}"): lambda w, own: {"team": "New team"},
    ("post", "/api/v1/systems/{system_id}/transitions"): lambda w, own: {
        "to": "development",
        "reason": "ready",
    },
    ("post", "/api/v1/systems/{system_id}/determination"): lambda w, own: {
        "answers": {},
        "determination": "neither",
    },
    ("put", "/api/v1/systems/{system_id}/cards/{kind}"): lambda w, own: {
        "fields": {"version": "2"}
    },
    ("post", "/api/v1/systems/{system_id}/cards/{kind}/attachments"): "multipart",
}
API_SETUP: dict = {}
for _helpers in app_helpers():
    BODIES.update(getattr(_helpers, "API_BODIES", {}))
    API_SETUP.update(getattr(_helpers, "API_SETUP", {}))
SUCCESS = {"get": 200, "patch": 200, "put": 200}


def api_operations():
    from ombuds.api.api import api

    schema = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/v1"), default=str))
    for path, ops in sorted(schema["paths"].items()):
        for method, op in ops.items():
            yield method, path, op


def expected_api(rule, who, own, path, method, op):
    if rule == "public":
        return "public"
    if who == "anonymous":
        return 401
    success = min(int(c) for c in op["responses"] if c.startswith("2"))
    if rule == "login" or who == "superuser":
        return success
    home, role = membership(who)
    holds = role in PERMISSIONS[rule]
    in_home = (home == "a") == own
    # Any record named in the path (other than a card kind) belongs to one agency.
    scoped = any(f"{{{p}}}" in path for p in re.findall(r"{(\w+)}", path) if p != "kind")
    if scoped and not in_home:
        return 404
    if not holds:
        return 403
    if not in_home and (method, path) == ("post", "/api/v1/systems"):
        # creating in an agency that is not yours: refused, naming the agency field
        return 422
    return success


@pytest.mark.django_db
def test_every_api_operation_declares_its_rule():
    missing = [f"{m.upper()} {p}" for m, p, op in api_operations() if "x-ombuds-access" not in op]
    assert not missing, f"API operations without x-ombuds-access: {missing}"


@pytest.mark.parametrize("method,path", [(m, p) for m, p, _op in api_operations()])
def test_api_matrix(method, path, world, token_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    op = dict(((m, p), o) for m, p, o in api_operations())[(method, path)]
    rule = op.get("x-ombuds-access")
    assert rule is not None
    assert set(op["responses"]) >= ({"401"} if rule != "public" else set()), "401 must be declared"
    objects = {own: records(world, own) for own in (True, False)}
    wrong = []
    for who in PRINCIPALS:
        for own in (True, False):
            user = principal_user(world, who)
            headers = token_for(user) if user is not None else {}
            system = world.system_a if own else world.system_b
            url = path.replace("{system_id}", str(system.pk)).replace("{kind}", "model")
            for name, pk in objects[own].items():
                url = url.replace(f"{{{name}}}", str(pk))
            body = BODIES.get((method, path))
            if method != "get":
                assert body is not None, (
                    f"declare a request body for {method.upper()} {path} in BODIES"
                )
            client = Client()
            with transaction.atomic():
                prepare = API_SETUP.get((method, path))
                if prepare is not None:
                    prepare(world, own, user)
                if body == "multipart":
                    upload = SimpleUploadedFile("n.txt", b"some notes", "text/plain")
                    response = client.post(url, {"file": upload}, headers=headers)
                elif body is not None:
                    response = getattr(client, method)(
                        url, body(world, own), content_type="application/json", headers=headers
                    )
                else:
                    response = client.get(url, headers=headers)
                transaction.set_rollback(True)
            want = expected_api(rule, who, own, path, method, op)
            got = response.status_code
            ok = got < 400 if want == "public" else got == want
            if not ok:
                wrong.append(
                    f"{who} {'own' if own else 'other'} {method.upper()} {url}: "
                    f"{got} {response.content[:200]!r}, expected {want}"
                )
            if got >= 400:
                declared = op["responses"]
                if str(got) not in declared:
                    wrong.append(
                        f"{method.upper()} {url} answered {got}, not declared in the schema"
                    )
                problem = response.json()
                if not {"type", "title", "status", "detail", "errors"} <= set(problem):
                    wrong.append(
                        f"{method.upper()} {url}: error is not a problem document: {problem}"
                    )
    assert not wrong, "\n".join(wrong)


def test_schema_and_docs_are_public(client, db):
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200


def test_route_names_cover_what_the_issue_promises():
    routes = {m.upper() + " " + re.sub(r"\{[^}]+\}", "{}", p) for m, p, _o in api_operations()}
    for needed in [
        "GET /api/v1/systems",
        "POST /api/v1/systems",
        "GET /api/v1/systems/{}",
        "PATCH /api/v1/systems/{}",
        "POST /api/v1/systems/{}/transitions",
        "GET /api/v1/systems/{}/history",
        "GET /api/v1/agencies",
    ]:
        assert needed in routes
