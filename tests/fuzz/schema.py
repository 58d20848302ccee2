"""The fuzzed schema: the app's own OpenAPI, and how many examples each operation gets.

The document is built at collection time (pytest needs the operations to name the tests) from
the same `create_app` that serves it; the `world` fixture checks that the running server
serves exactly this document at /api/openapi.json.
"""

import functools
import os
from typing import Any

import schemathesis
from hypothesis import strategies as st

from envdeck.app import create_app
from envdeck.config import load_settings

EXAMPLES_VARIABLE = "ENVDECK_FUZZ_EXAMPLES"
RANDOM_VARIABLE = "ENVDECK_FUZZ_RANDOM"
# `make test`: a few examples per operation, the same ones every run; `make fuzz`: many, new.
DEFAULT_EXAMPLES = 10
FIXED_SEED = 20251124

# Path parameter name (e.g. "environment_id") -> ids of the current world's seeded resources.
KNOWN_IDS: dict[str, list[str]] = {}


@functools.cache
def openapi_document() -> dict[str, Any]:
    document: dict[str, Any] = create_app(load_settings(environ={}), serve_ui=False).openapi()
    return document


def fuzz_config() -> schemathesis.Config:
    """Return the schemathesis configuration of this run, from the environment."""
    randomised = os.environ.get(RANDOM_VARIABLE, "") not in ("", "0")
    generation: dict[str, Any] = {
        "max-examples": int(os.environ.get(EXAMPLES_VARIABLE, DEFAULT_EXAMPLES)),
        # Hypothesis' example database would otherwise land in the repo as .hypothesis/.
        "database": "none",
        "deterministic": not randomised,
    }
    # A 502 says a target failed (an SSH host that refuses, a version list that is down) and a
    # 503 that storage is: answers the API documents, with the envelope, where they can happen.
    # `status_code_conformance` still fails one that its operation does not document; a 500 is
    # never expected.
    checks = {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", 502, 503]}}
    config: dict[str, Any] = {"generation": generation, "checks": checks}
    if not randomised:
        config["seed"] = FIXED_SEED
    return schemathesis.Config.from_dict(config)


def fuzzed_schema() -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_dict(openapi_document(), config=fuzz_config())
    schema.hook("flatmap_path_parameters")(offer_known_ids)
    return schema


def offer_known_ids(_context: Any, parameters: dict[str, Any] | None) -> Any:
    """Draw each id parameter from the generated value and the seeded resources of its kind.

    A generated id almost never names something that exists: offering the seeded ones lets
    cases reach past the 404 into the handlers.
    """
    if not parameters:
        return st.just(parameters)
    # Hypothesis favours the first choices (and shrinks towards them): the seeded ids go first.
    choices = {name: [*KNOWN_IDS.get(name, []), value] for name, value in parameters.items()}
    return st.fixed_dictionaries({name: st.sampled_from(c) for name, c in choices.items()})
