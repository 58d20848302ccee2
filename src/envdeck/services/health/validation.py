"""Judging a health-check response (DESIGN §4): pure functions, no I/O.

`judge` returns None when the response passes, else a message a user can act on. Without a
validation rule any 2xx passes. `statusCode` checks the status alone; `jsonRegex` and
`jsonPath` check the body alone (a target that answers 503 with `{"status": "ok"}` is taken at
its word). Compiled regexes and JSONPath queries are cached: ten thousand environments share a
handful of distinct rules.
"""

import json
import time
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import jsonpath
import regex

from envdeck.domain.environment import HealthValidation, JsonPathRule, ValidationType

_NOT_JSON = object()
# Values quoted in messages are cut here: a message is one line on a card.
_MAX_QUOTED = 80
# An admin's pattern runs on a target's body inside the check engine: one that backtracks
# without end ((a|aa)+$ on a long line of a's) must fail its check, not stall every other one.
# The limit is for the whole check: a jsonPath rule runs its pattern on every value the path
# finds, and a target that answers with many values must not get the limit once for each.
REGEX_TIME_LIMIT = 0.25  # seconds per check


class _PatternFailed(Exception):
    """A pattern that could not give an answer; the message says why."""


class RegexBudget:
    """The time the regular expressions of one check may take, all searches together."""

    def __init__(
        self, seconds: float = REGEX_TIME_LIMIT, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self._clock = clock
        self._deadline = clock() + seconds

    def remaining(self) -> float:
        return self._deadline - self._clock()


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> regex.Pattern[str]:
    return regex.compile(pattern)


def _search(pattern: str, text: str, budget: RegexBudget) -> bool:
    try:
        compiled = _regex(pattern)
    except (regex.error, ValueError, OverflowError, RecursionError):
        # Validated when saved; a rule stored before its engine changed may still not compile.
        raise _PatternFailed(f"/{_cut(pattern)}/ is not a valid regular expression") from None
    remaining = budget.remaining()
    try:
        if remaining <= 0:
            raise TimeoutError
        return compiled.search(text, timeout=remaining) is not None
    except TimeoutError:
        raise _PatternFailed(
            f"/{_cut(pattern)}/ took over {budget.seconds:g} s on this body: "
            "simplify the pattern (nested repetition backtracks without end)"
        ) from None


@lru_cache(maxsize=4096)
def _query(path: str) -> jsonpath.JSONPath | jsonpath.CompoundJSONPath:
    return jsonpath.compile(path)


def parse_json(body: bytes) -> Any:
    """Return the body parsed as JSON, or NOT_JSON."""
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _NOT_JSON


def is_json(document: Any) -> bool:
    return document is not _NOT_JSON


def status_matches(status: int, expected: int | str) -> bool:
    if isinstance(expected, int):
        return status == expected
    # "2xx": the class of the code.
    return expected[0] == str(status)[0] and len(str(status)) == 3


def _expected_codes(value: Any) -> list[int | str]:
    return list(value) if isinstance(value, list) else [value]


def check_status(status: int, value: Any) -> str | None:
    expected = _expected_codes(value)
    if any(status_matches(status, code) for code in expected):
        return None
    wanted = " or ".join(str(code) for code in expected)
    return f"expected status {wanted}, got {status}"


def check_regex(text: str, pattern: str, budget: RegexBudget) -> str | None:
    try:
        if _search(pattern, text, budget):
            return None
    except _PatternFailed as exc:
        return f"body: {exc}"
    return f"body does not match /{_cut(pattern)}/"


def find_first(document: Any, path: str) -> tuple[bool, Any]:
    """Return (found, the first value at path)."""
    match = _query(path).match(document)
    if match is None:
        return False, None
    return True, match.obj


def check_json_path(document: Any, rule: JsonPathRule, budget: RegexBudget) -> str | None:
    if not is_json(document):
        return "response is not JSON"
    values = [match.obj for match in _query(rule.path).finditer(document)]
    if not values:
        return f"{rule.path} not found in the response"
    if rule.matches is not None:
        try:
            if any(_search(rule.matches, as_text(value), budget) for value in values):
                return None
        except _PatternFailed as exc:
            return f"{rule.path}: {exc}"
        return f"{rule.path} is {_quote(values[0])}, does not match /{_cut(rule.matches)}/"
    if any(_equal(value, rule.equals) for value in values):
        return None
    return f"{rule.path} is {_quote(values[0])}, expected {_quote(rule.equals)}"


def judge(
    status: int,
    body: bytes,
    document: Any,
    validation: HealthValidation | None,
    budget: RegexBudget | None = None,
) -> str | None:
    """Return None when a response passes validation, else why it does not.

    `document` is the body parsed with parse_json (parsed once, shared with version discovery).
    Regular expressions get `budget` (REGEX_TIME_LIMIT from now, by default) for all their
    searches together.
    """
    budget = budget or RegexBudget()
    if validation is None:
        return None if 200 <= status < 300 else f"expected status 2xx, got {status}"
    if validation.type is ValidationType.STATUS_CODE:
        return check_status(status, validation.value)
    if validation.type is ValidationType.JSON_REGEX:
        assert isinstance(validation.value, str)
        return check_regex(body.decode("utf-8", errors="replace"), validation.value, budget)
    assert isinstance(validation.value, JsonPathRule)
    return check_json_path(document, validation.value, budget)


def extract_version(document: Any, path: str) -> str | None:
    """Return the version the response reports at path (numbers as their JSON text)."""
    if not is_json(document):
        return None
    found, value = find_first(document, path)
    if not found or value is None or isinstance(value, (dict, list)):
        return None
    text = as_text(value).strip()
    return text[:100] or None


def as_text(value: Any) -> str:
    """Return a JSON value as text: strings as they are, the rest as JSON."""
    return value if isinstance(value, str) else json.dumps(value)


def _equal(value: Any, expected: Any) -> bool:
    if isinstance(value, bool) or isinstance(expected, bool):
        return value is expected  # true is not 1
    if value == expected:
        return True
    # "200" typed in a form equals the number 200 in the response, and the other way round.
    if isinstance(expected, str) != isinstance(value, str):
        return as_text(value) == as_text(expected)
    return False


def _quote(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else json.dumps(value)
    return _cut(text)


def _cut(text: str) -> str:
    return text if len(text) <= _MAX_QUOTED else text[: _MAX_QUOTED - 1] + "…"
