"""schemathesis against the live schema: no server error, every response conforms to the schema,
and authentication is never ignored."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from ombuds.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def lead_headers(world, token_for):
    return token_for(world.lead)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI app directly, whose request signals would close the database
    connection holding the test's transaction (PostgreSQL). Django's test client does the same."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_conforms(case, lead_headers):
    case.call_and_validate(headers=lead_headers)
