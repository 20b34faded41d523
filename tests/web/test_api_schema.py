"""schemathesis over the API's OpenAPI description, in process (ASGI): generated requests,
valid and invalid, never get a server error, and answers match the described schemas."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from tests.web.conftest import Site

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]


def _operations(site: Site):  # noqa: ANN202
    auth = {"Authorization": f"Bearer {site.tokens['reviewer']}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", site.app, headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    return schema, operations, auth


def test_openapi_needs_a_token(site: Site) -> None:
    from fastapi.testclient import TestClient

    with TestClient(site.app) as client:
        assert client.get("/api/openapi.json").status_code == 401
        schema = client.get("/api/openapi.json",
                            headers={"Authorization": f"Bearer {site.tokens['viewer']}"}).json()
    assert set(schema["paths"]) == {"/api/search", "/api/documents", "/api/documents/{doc_id}",
                                    "/api/findings/{finding_id}",
                                    "/api/findings/{finding_id}/reviews"}
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_has_no_server_error(site: Site, mode: GenerationMode) -> None:
    schema, operations, auth = _operations(site)
    assert len(operations) == 5
    calls = []
    for operation in operations:

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=40, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case) -> None:  # noqa: ANN001
            response = case.call(app=site.app, headers=auth)
            calls.append((case.operation.label, response.status_code))
            checks = CHECKS if mode == GenerationMode.POSITIVE else [not_a_server_error]
            case.validate_response(response, checks=checks, headers=auth)

        run()
    assert len(calls) >= 5 * 10, len(calls)
    assert not [c for c in calls if c[1] >= 500]
    if mode == GenerationMode.POSITIVE:  # the token works: real answers, reviews written
        assert {label for label, status in calls if status in (200, 201)} >= {
            "GET /api/search", "GET /api/documents", "POST /api/findings/{finding_id}/reviews"}
