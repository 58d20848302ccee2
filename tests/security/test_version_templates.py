"""SSH upgrade templates that would have the shell read {VERSION} again, as code, are refused.

The version is substituted as one quoted word; a template that hands it to `eval`, `sh -c`, a
command substitution, `source`, a shell fed by a pipe, or a here-document runs a version named
`id` as the command `id`. Saving one is a 422 saying why; one stored before the rule is refused
when rendered.
"""

from typing import Any

import pytest

from envdeck.domain.errors import ValidationFailed
from envdeck.domain.version_templates import reevaluation_problem
from envdeck.services.operations.templates import render_ssh_command
from tests.integration.conftest import Personas

REEVALUATING = {
    "eval {VERSION}": "eval",
    'eval "deploy {VERSION}"': "eval",
    "sh -c {VERSION}": "sh -c",
    'bash -c "upgrade {VERSION}"': "bash -c",
    "sudo -u app bash -lc 'upgrade {VERSION}'": "bash -c",
    'bash -o pipefail -c "upgrade {VERSION}"': "bash -c",
    "docker exec web sh -c 'upgrade {VERSION}'": "sh -c",
    "su - app -c 'upgrade {VERSION}'": "su -c",
    "echo `{VERSION}`": "backticks",
    "x=$(echo {VERSION}); $x": "$( … )",
    "$({VERSION})": "the command itself",
    "cd /opt/app && {VERSION}": "the command itself",
    "source {VERSION}": "source",
    ". /opt/app/{VERSION}/env": ". runs a file",
    "echo {VERSION} | xargs sh": "piped into sh",
    "echo {VERSION} | xargs -I{} sh -c 'upgrade {}'": "piped into sh",
    "echo {VERSION} | bash": "piped into bash",
    "sh <<< {VERSION}": "here-string",
    "sh <<EOF\nupgrade {VERSION}\nEOF\n": "here-document",
    "cat <<EOF | sh\nupgrade {VERSION}\nEOF\n": "here-document",
}
SAFE = [
    "upgrade --version {VERSION}",
    "bash -c 'upgrade \"$1\"' _ {VERSION}",
    "cd /opt/app && ./upgrade.sh {VERSION}",
    'echo "{VERSION}" > /opt/app/VERSION',
    "set -e\napt-get install -y app={VERSION}\nsystemctl restart app",
    "docker pull registry.example/app:{VERSION}",
    "echo {VERSION} | tee /opt/app/VERSION",
    "cat <<EOF > /opt/app/VERSION\n{VERSION}\nEOF\n",
    "sudo -u app /opt/app/upgrade {VERSION}",
    "timeout 600 /opt/app/upgrade {VERSION}",
    "bash /opt/app/upgrade.sh {VERSION}",
]


def environment(command: str) -> dict[str, Any]:
    return {
        "name": "templated",
        "target": {"host": "10.0.0.5", "port": 22},
        "upgradeConfig": {"enabled": True, "type": "ssh", "upgradeCommand": {"command": command}},
    }


@pytest.mark.parametrize(("template", "reason"), REEVALUATING.items())
def test_a_template_that_reads_the_version_as_code_is_named(template: str, reason: str) -> None:
    problem = reevaluation_problem(template)
    assert problem is not None, template
    assert reason in problem
    assert "a version would be run as a command" in problem


@pytest.mark.parametrize("template", SAFE)
def test_a_template_that_passes_the_version_as_data_is_fine(template: str) -> None:
    assert reevaluation_problem(template) is None


@pytest.mark.parametrize("template", ["eval {VERSION}", "sh -c 'upgrade {VERSION}'"])
def test_saving_such_a_template_is_a_422_saying_why(personas: Personas, template: str) -> None:
    response = personas.client.post(
        "/api/v1/environments", json=environment(template), headers=personas.admin.headers()
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "VALIDATION_ERROR"
    assert error["details"]["field"] == "upgradeConfig.upgradeCommand.command"
    assert "would be run as a command" in error["message"]
    listed = personas.client.get("/api/v1/environments", headers=personas.admin.headers())
    assert listed.json()["environments"] == []


def test_changing_a_template_to_such_a_one_is_refused_too(personas: Personas) -> None:
    created = personas.client.post(
        "/api/v1/environments", json=environment(SAFE[0]), headers=personas.admin.headers()
    )
    assert created.status_code == 201, created.text
    patched = personas.client.patch(
        f"/api/v1/environments/{created.json()['id']}",
        json={"upgradeConfig": {"upgradeCommand": {"command": "eval {VERSION}"}}},
        headers=personas.admin.headers(),
    )
    assert patched.status_code == 422, patched.text


def test_a_template_stored_before_the_rule_is_refused_when_rendered() -> None:
    with pytest.raises(ValidationFailed, match="eval reads its arguments again"):
        render_ssh_command("eval {VERSION}", "id")
    assert render_ssh_command("upgrade {VERSION}", "2.4.1") == "upgrade 2.4.1"
