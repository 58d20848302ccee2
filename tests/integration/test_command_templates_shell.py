"""A rendered SSH command, run by a real /bin/sh, hands the script exactly the version given.

The rules of rendering themselves are specified without a shell in tests/unit.
"""

import subprocess

import pytest

from envdeck.services.operations.templates import render_ssh_command


def _sh(script: str) -> str:
    return subprocess.run(
        ["/bin/sh", "-c", script], capture_output=True, text=True, check=True
    ).stdout


@pytest.mark.parametrize(
    "template",
    [
        "printf '%s\\n' {VERSION}",
        "printf '%s\\n' '{VERSION}'",
        "printf '%s\\n' \"{VERSION}\"",
        "printf '%s\\n' app-{VERSION}.tar",
        'V="{VERSION}"; printf \'%s\\n\' "$V"',
    ],
)
def test_the_shell_sees_exactly_the_version_in_every_quoting_context(template: str) -> None:
    output = _sh(render_ssh_command(template, "1.0~rc1"))
    assert output.strip() in ("1.0~rc1", "app-1.0~rc1.tar")
