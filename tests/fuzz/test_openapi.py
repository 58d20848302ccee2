"""Every operation of the API, fuzzed from its own OpenAPI as an admin and as a viewer.

Whatever the input, the answer is never a 5xx, its status is one the operation documents, and
its content type and body match what the OpenAPI says for that status.
"""

from typing import Any

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.fuzz.schema import KNOWN_IDS, fuzzed_schema
from tests.fuzz.stats import STATS
from tests.fuzz.world import World

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

schema = fuzzed_schema()


@pytest.fixture(autouse=True)
def seeded(world: World) -> None:
    """Each operation is fuzzed with every seed in place, and their ids on offer to its cases."""
    world.seeds.restore()
    KNOWN_IDS.clear()
    KNOWN_IDS.update(world.known_ids())


@schema.parametrize()
def test_every_operation_answers_as_documented(case: schemathesis.Case[Any], world: World) -> None:
    response = case.call(base_url=world.app.url, headers=world.principal.headers(), timeout=30)
    STATS.record(world.principal.role, case.operation.label, response.status_code)
    try:
        case.validate_response(response, checks=CHECKS)
    finally:
        if case.method != "GET" and world.ensure_principal():
            STATS.repairs[world.principal.role] += 1
