"""Version lists: parsing with exact strings, newest-first ordering, behind-by arithmetic."""

import pytest

from envdeck.domain.errors import UpstreamError
from envdeck.services.operations.version_lists import (
    VersionList,
    behind_by,
    order_versions,
    parse_version_document,
)


def test_it_takes_a_plain_json_array() -> None:
    assert parse_version_document('["2.3.0", "2.4.0"]', None) == ["2.4.0", "2.3.0"]


def test_numbers_keep_their_exact_text() -> None:
    # As floats, 1.10 would read 1.1 and 2.0 would read 2.0 by luck only.
    assert parse_version_document("[1.9, 1.10, 2, 1.2]", None) == ["2", "1.10", "1.9", "1.2"]


def test_it_orders_newest_first_by_version_not_by_text() -> None:
    assert order_versions(["1.9.0", "1.10.0", "1.2.0", "1.10.0rc1"]) == [
        "1.10.0",
        "1.10.0rc1",
        "1.9.0",
        "1.2.0",
    ]


def test_values_that_are_not_all_versions_stay_as_given() -> None:
    assert order_versions(["stable", "2.0", "beta"]) == ["stable", "2.0", "beta"]


def test_a_v_prefix_still_orders_and_is_kept() -> None:
    assert order_versions(["v1.2", "v1.10"]) == ["v1.10", "v1.2"]


def test_a_jsonpath_to_the_items_picks_them() -> None:
    text = '{"data": {"releases": [{"tag": "1.0"}, {"tag": "1.1"}]}}'
    assert parse_version_document(text, "$.data.releases[*].tag") == ["1.1", "1.0"]


def test_a_jsonpath_to_the_array_itself_is_accepted() -> None:
    assert parse_version_document('{"versions": ["3.0", "3.1"]}', "$.versions") == ["3.1", "3.0"]


def test_blanks_duplicates_and_non_scalars_are_dropped() -> None:
    text = '[" 2.0 ", "2.0", "", null, true, {"v": "9"}, ["8"], "1.0"]'
    assert parse_version_document(text, None) == ["2.0", "1.0"]


def test_a_body_that_is_not_json_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="not JSON"):
        parse_version_document("<html>oops</html>", None)


def test_an_object_without_a_path_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match="jsonPathResponse"):
        parse_version_document('{"versions": ["1.0"]}', None)


def test_a_path_that_matches_nothing_is_an_upstream_error() -> None:
    with pytest.raises(UpstreamError, match=r"\$\.releases matched nothing"):
        parse_version_document('{"versions": ["1.0"]}', "$.releases")


def test_behind_by_counts_newer_listed_versions() -> None:
    assert behind_by("2.4.0", ["2.5.0", "2.4.1", "2.4.0", "2.3.0"]) == 2
    assert behind_by("2.5.0", ["2.5.0", "2.4.1"]) == 0
    # A version newer than any listed one is not behind.
    assert behind_by("3.0", ["2.5.0"]) == 0


def test_behind_by_is_unknown_without_a_comparable_version() -> None:
    assert behind_by(None, ["1.0"]) is None
    assert behind_by("", ["1.0"]) is None
    assert behind_by("nightly", ["1.0"]) is None
    assert behind_by("1.0", ["1.1", "latest"]) is None


def test_a_version_list_names_its_latest() -> None:
    found = VersionList("1.10", ["1.11", "1.10", "1.9"])
    assert (found.latest_version, found.behind_by) == ("1.11", 1)
    assert VersionList(None, []).latest_version is None
