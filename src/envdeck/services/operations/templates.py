"""The `{VERSION}` rule: which versions may be asked for, and how each kind of command gets one.

A requested version is checked first (`validate_version`): it must match VERSION_PATTERN and,
when the environment lists its versions, be one of them. Only then is it substituted, and
always encoded for where it lands (DESIGN §7):

- SSH command text: a complete shell word. Unquoted in the template it is `shlex.quote`d;
  inside '…' or "…" of the template it is inserted as is, which is exact there because the
  pattern admits no character that is special inside quotes. `${VERSION}` and `\\{VERSION}`
  are refused: they would not mean what they look like; so are templates that have the shell
  read the version again as code (`eval`, `sh -c`, …: domain/version_templates.py).
- URLs: percent-encoded (RFC 3986, nothing left reserved), in the path, query or fragment
  only; a template with `{VERSION}` in the scheme or host is refused.
- JSON bodies: substituted inside the parsed body's string values, never spliced into JSON
  text; the HTTP client encodes the result.
- Header values: inserted as is (the pattern admits no CR, LF or other control character).

`preview_*` render the same thing for a person to read before confirming, with every secret
shown as "********".
"""

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

from envdeck.adapters.secret_box import MASK
from envdeck.domain.command_kinds import VERSION_PLACEHOLDER
from envdeck.domain.errors import ValidationFailed
from envdeck.domain.version_templates import reevaluation_problem
from envdeck.services.inventory.secret_fields import is_secret_name

VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+~-]{0,127}")
VERSION_RULE = (
    "a version is 1-128 characters: a letter or digit, then letters, digits and . _ + ~ -"
)
_PREVIEW_VERSION_LIMIT = 40


def _refuse(message: str, **details: Any) -> ValidationFailed:
    return ValidationFailed(message, {"field": "version", **details})


def validate_version(version: str, listed: Sequence[str] | None) -> str:
    """Return version if it may be substituted, else raise ValidationFailed saying why.

    `listed` is the environment's version list (None when it has none configured): a listed
    version still has to match the pattern, so a hostile version list cannot smuggle one in.
    """
    if not isinstance(version, str) or not version:
        raise _refuse("version is required")
    # fullmatch, not match with "$": "$" also matches before a trailing newline.
    if VERSION_PATTERN.fullmatch(version) is None:
        shown = version if len(version) <= _PREVIEW_VERSION_LIMIT else version[:37] + "..."
        raise _refuse(f"invalid version {shown!r}: {VERSION_RULE}", rule=VERSION_PATTERN.pattern)
    if listed is not None and version not in listed:
        raise _refuse(f"version {version!r} is not one of the environment's available versions")
    return version


# ---- SSH command text -------------------------------------------------------------------


def _shell_contexts(template: str) -> list[tuple[int, str]]:
    """Return (offset, context) of each placeholder: "bare", "single" or "double".

    A small POSIX quote scanner: enough to know whether a placeholder sits inside quotes. It
    does not follow here-documents; a placeholder in one is treated as unquoted text.
    """
    found: list[tuple[int, str]] = []
    state = "bare"
    i = 0
    while i < len(template):
        if template.startswith(VERSION_PLACEHOLDER, i):
            before = template[i - 1] if i else ""
            if before == "$":
                raise ValidationFailed(
                    f"write {VERSION_PLACEHOLDER}, not ${VERSION_PLACEHOLDER}: the shell would "
                    "read the latter as a variable",
                    {"field": "command"},
                )
            found.append((i, state))
            i += len(VERSION_PLACEHOLDER)
            continue
        char = template[i]
        if state == "single":
            state = "bare" if char == "'" else state
        elif char == "\\":
            if template.startswith(VERSION_PLACEHOLDER, i + 1):
                raise ValidationFailed(
                    f"{VERSION_PLACEHOLDER} must not follow a backslash", {"field": "command"}
                )
            i += 1  # the next character is escaped (outside quotes and inside "…")
        elif state == "double":
            state = "bare" if char == '"' else state
        elif char == "'":
            state = "single"
        elif char == '"':
            state = "double"
        i += 1
    return found


def render_ssh_command(template: str, version: str | None = None) -> str:
    """Return the script to run, `{VERSION}` replaced by the (validated) version as one word."""
    contexts = _shell_contexts(template)
    if not contexts:
        return template
    problem = reevaluation_problem(template)
    if problem is not None:  # saved before the rule: refused when saved since
        raise ValidationFailed(problem, {"field": "command"})
    if version is None:
        raise _refuse(f"this command contains {VERSION_PLACEHOLDER}: a version is required")
    validate_version(version, None)
    quoted = shlex.quote(version)
    parts: list[str] = []
    last = 0
    for offset, context in contexts:
        parts.append(template[last:offset])
        parts.append(quoted if context == "bare" else version)
        last = offset + len(VERSION_PLACEHOLDER)
    parts.append(template[last:])
    return "".join(parts)


# ---- HTTP: URL, headers, JSON body ------------------------------------------------------


def _check_url_template(template: str) -> SplitResult:
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationFailed("the URL must be http:// or https:// with a host", {"field": "url"})
    if VERSION_PLACEHOLDER in parts.scheme + parts.netloc:
        raise ValidationFailed(
            f"{VERSION_PLACEHOLDER} may appear in the URL's path, query or fragment only",
            {"field": "url"},
        )
    return parts


def render_url(template: str, version: str | None = None) -> str:
    """Return the URL with `{VERSION}` percent-encoded into its path, query or fragment."""
    parts = _check_url_template(template)
    if VERSION_PLACEHOLDER not in template:
        return template
    if version is None:
        raise _refuse(f"this URL contains {VERSION_PLACEHOLDER}: a version is required")
    encoded = quote(validate_version(version, None), safe="")
    path, query, fragment = (
        part.replace(VERSION_PLACEHOLDER, encoded)
        for part in (parts.path, parts.query, parts.fragment)
    )
    return urlunsplit((parts.scheme, parts.netloc, path, query, fragment))


def render_headers(headers: Mapping[str, str], version: str | None = None) -> dict[str, str]:
    """Return the header values with `{VERSION}` replaced (names are never templated)."""
    if not any(VERSION_PLACEHOLDER in value for value in headers.values()):
        return dict(headers)
    if version is None:
        raise _refuse(f"a header contains {VERSION_PLACEHOLDER}: a version is required")
    validate_version(version, None)
    return {name: value.replace(VERSION_PLACEHOLDER, version) for name, value in headers.items()}


def _walk_strings(value: Any, replace: Any) -> Any:
    if isinstance(value, str):
        return replace(value)
    if isinstance(value, list):
        return [_walk_strings(item, replace) for item in value]
    if isinstance(value, dict):
        return {key: _walk_strings(item, replace) for key, item in value.items()}
    return value


def _contains_placeholder(value: Any) -> bool:
    found = False

    def note(text: str) -> str:
        nonlocal found
        found = found or VERSION_PLACEHOLDER in text
        return text

    _walk_strings(value, note)
    return found


def render_json_body(body: Any, version: str | None = None) -> Any:
    """Return a copy of the parsed JSON body with `{VERSION}` replaced in its string values.

    The result is data, not text: the HTTP client JSON-encodes it, so the version can never
    close a string or add a field. Object keys are never templated.
    """
    if not _contains_placeholder(body):
        return _walk_strings(body, lambda text: text)
    if version is None:
        raise _refuse(f"the body contains {VERSION_PLACEHOLDER}: a version is required")
    validate_version(version, None)
    return _walk_strings(body, lambda text: text.replace(VERSION_PLACEHOLDER, version))


@dataclass(frozen=True)
class HttpRequestSpec:
    """A rendered HTTP command, ready for the shared client (secrets still sealed)."""

    method: str
    url: str
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def render_http_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any,
    version: str | None = None,
) -> HttpRequestSpec:
    """Return the request an HTTP command sends, `{VERSION}` encoded for each place."""
    return HttpRequestSpec(
        method=method,
        url=render_url(url, version),
        headers=render_headers(headers, version),
        body=render_json_body(body, version),
    )


# ---- previews for the confirmation dialogs ----------------------------------------------


def mask_url(url: str) -> str:
    """Return url with the password of its user-info masked."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:{MASK}@{host}"))


def _mask_body(body: Any) -> Any:
    if isinstance(body, dict):
        return {
            key: MASK if is_secret_name(str(key)) and item is not None else _mask_body(item)
            for key, item in body.items()
        }
    if isinstance(body, list):
        return [_mask_body(item) for item in body]
    return body


@dataclass(frozen=True)
class CommandPreview:
    """What a confirmation dialog shows: the exact command or request, secrets masked."""

    type: str  # "ssh" or "http"
    command: str | None = None
    method: str | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


def preview_ssh_command(template: str, version: str | None = None) -> CommandPreview:
    """Return the script as it will run; without a version `{VERSION}` is left in place."""
    text = template if version is None else render_ssh_command(template, version)
    return CommandPreview(type="ssh", command=text)


def preview_http_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: Any,
    version: str | None = None,
) -> CommandPreview:
    """Return the request as it will be sent, with secret headers, URL passwords and body
    fields whose names look secret shown as "********" (sealed values are never opened)."""
    if version is not None:
        spec = render_http_request(method, url, headers, body, version)
        url, headers, body = spec.url, spec.headers, spec.body
    masked_headers = {
        name: MASK if is_secret_name(name) else value for name, value in headers.items()
    }
    return CommandPreview(
        type="http",
        method=method,
        url=mask_url(url),
        headers=masked_headers,
        body=_mask_body(body),
    )
