"""Schemathesis against the API's OpenAPI schema (/api/v1/openapi.json): every operation is
called with generated parameters and bodies, with a bearer token, as the superuser (who may
reach every object) and as a district staff member (alice, scoped): no call may end in a
server error. Bounded (a few examples per operation, no example database) so the whole file
runs in about a minute; it is part of `make test`."""
from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings

from kiemdiem.core.models import ApiToken
from kiemdiem.organisations.tests.test_access_matrix import _world_ids, world  # noqa: F401 - fixtures

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def tokens(world):
    """Bearer keys for the callers. The calls go through the real WSGI handler, whose request
    signals would close the test's database connection (as Django's test client, keep it)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield {name: ApiToken.issue(world.users[name])[1] for name in ("admin", "alice")}
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=5, deadline=None, database=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, tokens):
    for key in tokens.values():
        response = case.call(headers={"Authorization": f"Bearer {key}"})
        assert response.status_code < 500, (
            f"{case.method} {case.formatted_path} → {response.status_code}\n{response.text[:500]}\n"
            f"path={case.path_parameters} query={case.query} body={case.body!r}"
        )
