"""The API fuzzed from its own OpenAPI description, in-process: whatever a logged-in member sends, the
answer is never a 500. Bounded (a few examples per operation) so the whole run takes well under a minute.

Operations are driven one by one with Hypothesis (schemathesis' pytest plugin does not support this pytest),
and every failure is collected so one run names every operation that breaks."""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from tests.conftest import login

pytestmark = pytest.mark.fuzz
EXAMPLES_PER_OPERATION = 12


def test_api_never_answers_500(app, client: TestClient, world) -> None:
    login(client, world.member.email)
    r = client.post(f"/api/v1/workspaces/{world.workspace.id}/tokens", json={"name": "fuzz"})
    assert r.status_code == 200, r.text
    auth = {"Authorization": f"Bearer {r.json()['token']}"}
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:  # type: ignore[no-untyped-def]
            response = case.call(headers=auth)
            case.validate_response(response, checks=[not_a_server_error])

        try:
            run()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:400]}")
    assert operations > 20
    assert not failures, "\n\n".join(failures)
