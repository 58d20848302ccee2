"""Hostile versions cannot make a host run anything beyond the configured command.

Two walls, each tested on its own against a real OpenSSH sshd:

1. `validate_version` refuses every payload of the corpus with a clear error, and so does
   every renderer (SSH text, URL, JSON body, headers).
2. Even past the first wall, `{VERSION}` is one shell word: running the configured command
   with each payload quoted as the renderer quotes it prints the payload verbatim, and the
   marker file a successful injection would create never appears on the host.

Versions that do pass the rule (odd but legal ones) run for real through the whole path.
"""

import asyncio
import secrets
import shlex
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from envdeck.adapters.ssh import SshPool, SshRunner
from envdeck.domain.commands import RunOutcome
from envdeck.domain.errors import ValidationFailed
from envdeck.services.operations.templates import (
    render_headers,
    render_json_body,
    render_ssh_command,
    render_url,
    validate_version,
)
from tests.support import sshd as ssh_servers
from tests.support.sshd import OpenSshServer, SshAccount

ssh_account = ssh_servers.ssh_account
sshd = ssh_servers.sshd
ssh_pool = ssh_servers.ssh_pool

M = "@MARKER@"  # replaced by the path of a file that only a successful injection creates

HOSTILE = [
    # command separators and chaining
    f"1.0; touch {M}",
    f"1.0;touch {M}",
    f"1.0 && touch {M}",
    f"1.0&&touch {M}",
    f"1.0 || touch {M}",
    f"1.0 | touch {M}",
    f"1.0|tee {M}",
    f"1.0 & touch {M}",
    f"1.0\ntouch {M}",
    f"1.0\rtouch {M}",
    f"1.0\r\ntouch {M}",
    "1.0\n",
    # substitutions and expansions
    f"$(touch {M})",
    f"1.0$(touch {M})",
    f"`touch {M}`",
    f"1.0`touch {M}`",
    f"${{IFS}}touch${{IFS}}{M}",
    f"<(touch {M})",
    f">(touch {M})",
    "$HOME",
    "${PATH}",
    "~root",
    "1.0*",
    "[a-z]*",
    "{a,b}",
    "!!",
    # quotes and escapes
    f"1.0'; touch {M}; '",
    f'1.0"; touch {M}; "',
    f"1.0\\'; touch {M}; \\'",
    "'",
    '"',
    "\\",
    # redirections
    f"1.0 > {M}",
    f"1.0>>{M}",
    f"1.0 2>{M}",
    # option injection
    "--help",
    "-rf",
    f"--output={M}",
    "-oProxyCommand=touch",
    "--",
    # URL tricks
    "../../etc/passwd",
    "..",
    "1.0/../admin",
    "%2e%2e%2f",
    "1.0%0atouch",
    "1.0?x=1",
    "1.0#frag",
    "1.0&admin=1",
    "http://evil.example/",
    "//evil.example",
    "1.0@evil.example",
    # JSON tricks
    '1.0", "admin": true, "x": "',
    "1.0\\u0022",
    # unicode look-alikes and invisible characters
    "\uff11.\uff10",  # fullwidth digits
    "1\u20240",  # one dot leader
    f"1.0\uff1btouch {M}",  # fullwidth semicolon
    "\u0430pp-1.0",  # cyrillic a
    "1.0\u200b",  # zero-width space
    "1.0\u202e",  # right-to-left override
    "1.0\u00a0",  # no-break space
    "\u2212" + "1.0",  # minus sign
    # control characters, whitespace, sizes
    "1.0\x00touch",
    "1.0\t-x",
    " 1.0",
    "1.0 ",
    "",
    "a" * 129,
    "1" * 10240,
    f"1.0;touch {M};" + "x" * 10240,
]


def payloads(marker: Path) -> list[str]:
    return [p.replace(M, str(marker)) for p in HOSTILE]


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 40
    assert len(set(HOSTILE)) == len(HOSTILE)


@pytest.mark.parametrize("payload", payloads(Path("/tmp/envdeck-pwned")))
def test_every_payload_is_refused_with_a_clear_error(payload: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        validate_version(payload, None)
    assert caught.value.code == "VALIDATION_ERROR"
    assert caught.value.details["field"] == "version"
    assert caught.value.message.startswith(("invalid version", "version is required"))
    assert len(caught.value.message) < 300


@pytest.mark.parametrize("payload", payloads(Path("/tmp/envdeck-pwned")))
def test_every_renderer_refuses_every_payload(payload: str) -> None:
    with pytest.raises(ValidationFailed):
        render_ssh_command("deploy {VERSION}", payload)
    with pytest.raises(ValidationFailed):
        render_url("https://ci.example/deploy/{VERSION}?v={VERSION}", payload)
    with pytest.raises(ValidationFailed):
        render_json_body({"version": "{VERSION}"}, payload)
    with pytest.raises(ValidationFailed):
        render_headers({"X-Version": "{VERSION}"}, payload)


def test_a_listed_payload_is_still_refused() -> None:
    hostile = f"1.0; touch {M}"
    with pytest.raises(ValidationFailed):
        validate_version(hostile, [hostile])


@pytest_asyncio.fixture
async def runner(ssh_pool: SshPool) -> AsyncIterator[SshRunner]:
    yield SshRunner(ssh_pool)


@pytest.fixture
def marker(ssh_account: SshAccount) -> Path:
    # In the account's home: a place the remote user can write, so an injection could.
    return ssh_account.home / f"pwned-{secrets.token_hex(6)}"


async def test_quoting_alone_neutralises_every_payload_on_a_real_host(
    sshd: OpenSshServer, ssh_account: SshAccount, runner: SshRunner, marker: Path
) -> None:
    # The second wall on its own: quote each payload exactly as the renderer quotes a bare
    # {VERSION}, bypassing the first wall, and check what the host did.
    key = ssh_account.keys.key_credential()
    for payload in payloads(marker):
        if "\x00" in payload:
            continue  # a NUL cannot be part of any shell word; the rule refuses it anyway
        script = f"printf 'upgrading %s\\n' {shlex.quote(payload)}"
        result = await runner.run_script(sshd.pinned(), key, script, timeout=30)
        assert result.outcome is RunOutcome.SUCCEEDED, (payload, result.error)
        assert result.output == f"upgrading {payload}\n", payload
        assert not await asyncio.to_thread(marker.exists), f"injection ran: {payload!r}"
    listing = await runner.run_script(sshd.pinned(), key, f"ls -a {marker.parent}", timeout=30)
    assert marker.name not in listing.output


LEGAL_ODDITIES = ["1.0~rc1", "1.2.3+build.5", "v2-touch", "1e5", "0x41", "1.0-SNAPSHOT", "a" * 128]


async def test_versions_that_pass_the_rule_run_only_the_configured_command(
    sshd: OpenSshServer, ssh_account: SshAccount, runner: SshRunner, marker: Path
) -> None:
    key = ssh_account.keys.key_credential()
    for version in LEGAL_ODDITIES:
        script = render_ssh_command("echo upgrading {VERSION}", validate_version(version, None))
        result = await runner.run_script(sshd.pinned(), key, script, timeout=30)
        assert result.output == f"upgrading {version}\n"
        assert not await asyncio.to_thread(marker.exists)
