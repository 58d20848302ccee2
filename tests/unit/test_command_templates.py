"""The {VERSION} rule: which versions pass, and how each kind of command receives one."""

import json
import shlex

import pytest

from envdeck.domain.errors import ValidationFailed
from envdeck.services.operations.templates import (
    preview_http_request,
    preview_ssh_command,
    render_headers,
    render_http_request,
    render_json_body,
    render_ssh_command,
    render_url,
    validate_version,
)


class TestValidateVersion:
    @pytest.mark.parametrize(
        "version",
        ["1", "1.10", "2.4.1", "v2.4.1", "1.0~rc1", "1.2.3+build.5", "2024_01-02", "a" * 128],
    )
    def test_accepts_safe_versions_unchanged(self, version: str) -> None:
        assert validate_version(version, None) == version

    @pytest.mark.parametrize(
        "version",
        [
            "",
            "-1.0",
            ".1",
            "_1",
            "~1",
            "+1",
            "1.0\n",
            "1 0",
            "1;0",
            "a" * 129,
            "1.0/..",
            "\uff11.0",
        ],
    )
    def test_refuses_unsafe_versions_naming_the_rule(self, version: str) -> None:
        with pytest.raises(ValidationFailed) as caught:
            validate_version(version, None)
        assert caught.value.details["field"] == "version"
        assert "version" in caught.value.message

    def test_refuses_a_trailing_newline_that_a_dollar_anchor_would_let_through(self) -> None:
        with pytest.raises(ValidationFailed, match="invalid version"):
            validate_version("1.2.3\n", ["1.2.3\n"])

    def test_requires_a_listed_version_when_a_list_is_configured(self) -> None:
        assert validate_version("1.10", ["1.9", "1.10"]) == "1.10"
        with pytest.raises(ValidationFailed, match="not one of the environment's available"):
            validate_version("1.1", ["1.9", "1.10"])

    def test_a_listed_version_must_still_be_safe(self) -> None:
        with pytest.raises(ValidationFailed, match="invalid version"):
            validate_version("1;reboot", ["1;reboot"])

    def test_shortens_a_huge_version_in_the_message(self) -> None:
        with pytest.raises(ValidationFailed) as caught:
            validate_version("x" * 10_000 + ";", None)
        assert len(caught.value.message) < 300


class TestRenderSshCommand:
    def test_leaves_a_command_without_placeholder_alone(self) -> None:
        assert render_ssh_command("systemctl restart app") == "systemctl restart app"

    def test_quotes_a_bare_placeholder_as_one_word(self) -> None:
        assert render_ssh_command("deploy {VERSION}", "1.0~rc1") == "deploy '1.0~rc1'"
        assert render_ssh_command("deploy {VERSION}", "2.4.1") == f"deploy {shlex.quote('2.4.1')}"

    def test_refuses_a_shell_variable_spelling(self) -> None:
        with pytest.raises(ValidationFailed, match=r"not \$\{VERSION\}"):
            render_ssh_command("deploy ${VERSION}", "1.0")

    def test_refuses_an_escaped_placeholder(self) -> None:
        with pytest.raises(ValidationFailed, match="backslash"):
            render_ssh_command("deploy \\{VERSION}", "1.0")

    def test_requires_a_version_when_the_command_has_a_placeholder(self) -> None:
        with pytest.raises(ValidationFailed, match="a version is required"):
            render_ssh_command("deploy {VERSION}")

    def test_validates_the_version_itself(self) -> None:
        with pytest.raises(ValidationFailed, match="invalid version"):
            render_ssh_command("deploy {VERSION}", "1; reboot")


class TestRenderHttp:
    def test_encodes_the_version_in_path_query_and_fragment(self) -> None:
        url = render_url("https://ci.example/deploy/{VERSION}?v={VERSION}#{VERSION}", "1.0+b~1")
        assert url == "https://ci.example/deploy/1.0%2Bb~1?v=1.0%2Bb~1#1.0%2Bb~1"

    @pytest.mark.parametrize(
        "template",
        ["https://{VERSION}.example/", "https://user:{VERSION}@example/", "{VERSION}://x/"],
    )
    def test_refuses_a_placeholder_in_scheme_or_host(self, template: str) -> None:
        with pytest.raises(ValidationFailed):
            render_url(template, "1.0")

    def test_refuses_a_url_that_is_not_http(self) -> None:
        with pytest.raises(ValidationFailed, match="http"):
            render_url("file:///etc/{VERSION}", "1.0")

    def test_substitutes_inside_json_string_values_only(self) -> None:
        body = {
            "version": "{VERSION}",
            "tag": "app:{VERSION}",
            "{VERSION}": 1,
            "n": [1, "{VERSION}"],
        }
        rendered = render_json_body(body, "1.10")
        assert rendered == {"version": "1.10", "tag": "app:1.10", "{VERSION}": 1, "n": [1, "1.10"]}
        assert body["version"] == "{VERSION}"  # the stored template is not modified
        assert json.loads(json.dumps(rendered)) == rendered

    def test_keeps_a_version_string_a_string(self) -> None:
        assert render_json_body({"v": "{VERSION}"}, "1.10") == {"v": "1.10"}

    def test_substitutes_header_values(self) -> None:
        assert render_headers({"X-Version": "{VERSION}"}, "2.0") == {"X-Version": "2.0"}

    def test_renders_a_whole_request(self) -> None:
        spec = render_http_request(
            "POST", "https://ci.example/deploy/{VERSION}", {}, {"v": "{VERSION}"}, "2.0"
        )
        assert (spec.url, spec.body) == ("https://ci.example/deploy/2.0", {"v": "2.0"})

    def test_requires_a_version_for_a_templated_body(self) -> None:
        with pytest.raises(ValidationFailed, match="a version is required"):
            render_json_body({"v": "{VERSION}"})


class TestPreview:
    def test_shows_the_ssh_command_with_the_version_filled_in(self) -> None:
        preview = preview_ssh_command("cd /srv && ./deploy {VERSION}", "1.0~rc1")
        assert preview.command == "cd /srv && ./deploy '1.0~rc1'"

    def test_leaves_the_placeholder_without_a_version(self) -> None:
        assert preview_ssh_command("./deploy {VERSION}").command == "./deploy {VERSION}"

    def test_masks_every_secret_of_an_http_request(self) -> None:
        preview = preview_http_request(
            "POST",
            "https://bot:hunter2@ci.example/deploy/{VERSION}",
            {"Authorization": "Bearer abc", "X-Api-Token": "t0k", "Accept": "application/json"},
            {"version": "{VERSION}", "password": "s3cret", "nested": {"apiKey": "k"}},
            "2.0",
        )
        shown = json.dumps(preview.__dict__)
        for secret in ("hunter2", "Bearer abc", "t0k", "s3cret", '"k"'):
            assert secret not in shown
        assert preview.url == "https://bot:********@ci.example/deploy/2.0"
        assert preview.headers["Accept"] == "application/json"
        assert preview.body == {
            "version": "2.0",
            "password": "********",
            "nested": {"apiKey": "********"},
        }
