"""The vault's fingerprint of a private key is the one ssh-keygen prints for its public key.

Runs the ssh-keygen binary on a key file; the pure key-reading tests are in tests/unit.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

from envdeck.adapters.ssh.keys import fingerprint_private_key
from tests.support.ssh_keys import ED25519, RSA, SshKey, private_text, public_line


@pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs ssh-keygen")
@pytest.mark.parametrize("key", [ED25519, RSA], ids=["ed25519", "rsa"])
def test_the_fingerprint_is_the_one_ssh_keygen_prints(key: SshKey, tmp_path: Path) -> None:
    public = tmp_path / "key.pub"
    public.write_text(public_line(key) + " test\n")
    printed = subprocess.run(
        ["ssh-keygen", "-lf", str(public)], capture_output=True, text=True, check=True
    ).stdout.split()[1]

    assert fingerprint_private_key(private_text(key, "openssh"), None) == printed
