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


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_api_conforms(case, lead_headers):
    case.call_and_validate(headers=lead_headers)
