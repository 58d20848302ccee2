"""Judging health-check responses: each validation type, its messages, version discovery."""

import itertools
import json
from typing import Any

import pytest

from envdeck.domain.environment import HealthValidation, ValidationType
from envdeck.services.health.validation import (
    REGEX_TIME_LIMIT,
    RegexBudget,
    extract_version,
    judge,
    parse_json,
)


def verdict(status: int, body: Any, validation: dict[str, Any] | None) -> str | None:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    rule = None if validation is None else HealthValidation.model_validate(validation)
    return judge(status, raw, parse_json(raw), rule)


class TestWithoutValidation:
    @pytest.mark.parametrize("status", [200, 204, 299])
    def test_any_2xx_passes(self, status: int) -> None:
        assert verdict(status, b"", None) is None

    @pytest.mark.parametrize("status", [301, 404, 500, 503])
    def test_anything_else_fails_with_the_status(self, status: int) -> None:
        assert verdict(status, b"", None) == f"expected status 2xx, got {status}"


class TestStatusCode:
    def test_a_single_code_must_match_exactly(self) -> None:
        rule = {"type": "statusCode", "value": 204}
        assert verdict(204, b"", rule) is None
        assert verdict(200, b"", rule) == "expected status 204, got 200"

    def test_a_list_of_codes_passes_any_of_them(self) -> None:
        rule = {"type": "statusCode", "value": [200, 418]}
        assert verdict(418, b"", rule) is None
        assert verdict(503, b"", rule) == "expected status 200 or 418, got 503"

    def test_a_class_passes_every_code_in_it(self) -> None:
        rule = {"type": "statusCode", "value": "3xx"}
        assert verdict(302, b"", rule) is None
        assert verdict(200, b"", rule) == "expected status 3xx, got 200"

    def test_a_list_may_mix_codes_and_classes(self) -> None:
        rule = {"type": "statusCode", "value": ["2xx", 404]}
        assert verdict(404, b"", rule) is None
        assert verdict(201, b"", rule) is None
        assert verdict(500, b"", rule) == "expected status 2xx or 404, got 500"


class TestJsonRegex:
    def test_passes_when_the_pattern_is_found_anywhere_in_the_body(self) -> None:
        rule = {"type": "jsonRegex", "value": '"status":\\s*"(ok|up)"'}
        assert verdict(200, {"status": "up", "n": 1}, rule) is None

    def test_fails_naming_the_pattern(self) -> None:
        rule = {"type": "jsonRegex", "value": "ready"}
        assert verdict(200, b"starting", rule) == "body does not match /ready/"

    def test_works_on_a_body_that_is_not_json(self) -> None:
        assert verdict(200, b"<h1>OK</h1>", {"type": "jsonRegex", "value": "OK"}) is None

    def test_looks_at_the_body_alone(self) -> None:
        assert verdict(503, {"status": "ok"}, {"type": "jsonRegex", "value": "ok"}) is None

    def test_a_pattern_that_backtracks_without_end_fails_the_check_in_time(self) -> None:
        # With Python's re this search would run for longer than the universe has existed.
        rule = {"type": "jsonRegex", "value": "(a|aa)+$"}
        message = verdict(200, b"a" * 60 + b"!", rule)
        assert message is not None
        assert message.startswith(f"body: /(a|aa)+$/ took over {REGEX_TIME_LIMIT:g} s")

    def test_a_stored_pattern_that_no_longer_compiles_fails_the_check_clearly(self) -> None:
        # Saved when patterns were checked with Python's re, which allows deeper nesting.
        deep = "(" * 400 + "ok" + ")" * 400
        rule = HealthValidation.model_construct(type=ValidationType.JSON_REGEX, value=deep)
        message = judge(200, b"ok", parse_json(b"ok"), rule)
        assert message is not None
        assert message.endswith("is not a valid regular expression")


class TestJsonPath:
    def test_equals_passes_on_the_same_value(self) -> None:
        rule = {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}}
        assert verdict(200, {"status": "ok"}, rule) is None

    def test_equals_fails_quoting_both_values(self) -> None:
        rule = {"type": "jsonPath", "value": {"path": "$.status", "equals": "ok"}}
        assert verdict(200, {"status": "down"}, rule) == "$.status is 'down', expected 'ok'"

    def test_equals_compares_numbers_and_booleans_as_json(self) -> None:
        assert verdict(200, {"n": 3}, _path("$.n", equals=3)) is None
        assert verdict(200, {"n": 3}, _path("$.n", equals="3")) is None
        assert verdict(200, {"up": True}, _path("$.up", equals=True)) is None
        assert verdict(200, {"up": 1}, _path("$.up", equals=True)) == "$.up is 1, expected true"

    def test_matches_applies_a_regex_to_the_value(self) -> None:
        rule = {"type": "jsonPath", "value": {"path": "$.db.state", "matches": "^(ok|degraded)$"}}
        assert verdict(200, {"db": {"state": "degraded"}}, rule) is None
        assert (
            verdict(200, {"db": {"state": "down"}}, rule)
            == "$.db.state is 'down', does not match /^(ok|degraded)$/"
        )

    def test_a_matches_pattern_that_backtracks_without_end_fails_in_time(self) -> None:
        rule = {"type": "jsonPath", "value": {"path": "$.word", "matches": "(a|aa)+$"}}
        message = verdict(200, {"word": "a" * 60 + "!"}, rule)
        assert message is not None
        assert message.startswith("$.word: /(a|aa)+$/ took over")

    def test_the_time_limit_is_for_the_whole_check_not_for_each_value(self) -> None:
        """A path that finds twenty values, each searched in a tenth of a second (as the check's
        clock tells it): the check fails once its quarter second is spent, after three values,
        instead of searching all twenty for two seconds."""
        rule = HealthValidation.model_validate(_path("$.words[*]", matches="^ready$"))
        raw = json.dumps({"words": ["not yet"] * 20}).encode()
        ticks = itertools.count()
        budget = RegexBudget(REGEX_TIME_LIMIT, clock=lambda: next(ticks) * 0.1)
        message = judge(200, raw, parse_json(raw), rule, budget)
        assert message is not None
        assert message.startswith(f"$.words[*]: /^ready$/ took over {REGEX_TIME_LIMIT:g} s")
        assert next(ticks) == 4  # the budget's start and three searches: the rest never ran

    def test_a_filter_passes_when_any_match_fits(self) -> None:
        rule = _path("$.checks[?@.name == 'db'].ok", equals=True)
        body = {"checks": [{"name": "cache", "ok": False}, {"name": "db", "ok": True}]}
        assert verdict(200, body, rule) is None

    def test_a_missing_path_says_so(self) -> None:
        rule = _path("$.status", equals="ok")
        assert verdict(200, {"state": "ok"}, rule) == "$.status not found in the response"

    def test_a_body_that_is_not_json_says_so(self) -> None:
        assert verdict(200, b"<html>", _path("$.status", equals="ok")) == "response is not JSON"


class TestVersionDiscovery:
    @pytest.mark.parametrize(
        ("body", "found"),
        [
            ({"version": "2.4.0"}, "2.4.0"),
            ({"version": 3}, "3"),
            ({"version": 2.5}, "2.5"),
            ({"build": {"version": " 1.0 "}}, None),
            ({"version": None}, None),
            ({"version": {"major": 1}}, None),
            ({}, None),
        ],
    )
    def test_reads_the_version_as_text(self, body: Any, found: str | None) -> None:
        assert extract_version(parse_json(json.dumps(body).encode()), "$.version") == found

    def test_a_nested_path_works(self) -> None:
        document = parse_json(b'{"build": {"version": "1.2.3"}}')
        assert extract_version(document, "$.build.version") == "1.2.3"

    def test_a_body_that_is_not_json_reports_nothing(self) -> None:
        assert extract_version(parse_json(b"2.4.0 <html>"), "$.version") is None


def _path(path: str, **comparison: Any) -> dict[str, Any]:
    return {"type": "jsonPath", "value": {"path": path, **comparison}}
