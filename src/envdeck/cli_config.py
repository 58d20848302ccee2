"""`envdeck config`: configuration files, such as the original environment manager's."""

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml

from envdeck.cli_support import fail
from envdeck.config import ConfigError, convert_config_file
from envdeck.original_config import ConfigNotice

config_app = typer.Typer(help="Work with configuration files.", no_args_is_help=True)


def render_converted(source: Path, tree: dict[str, Any], notices: list[ConfigNotice]) -> str:
    """Return the converted file: its notes as YAML comments, then the keys."""
    renamed = [n for n in notices if n.applied]
    dropped = [n for n in notices if not n.applied]
    lines = [f"# Envdeck configuration converted from {source.name} by `envdeck config convert`."]
    if renamed:
        lines.append("# Renamed (the original's name -> Envdeck's key):")
        lines += [f"#   {n.name} -> {n.use}" for n in renamed]
    if dropped:
        lines.append("# Left out:")
        lines += [f"#   {n.name}: {n.detail}" for n in dropped]
    if not tree:
        lines.append("# Nothing to set: Envdeck's defaults apply.")
        return "\n".join(lines) + "\n"
    body = yaml.safe_dump(tree, sort_keys=False, default_flow_style=False, allow_unicode=True)
    return "\n".join(lines) + "\n" + body


@config_app.command("convert")
def convert(
    file: Annotated[
        Path,
        typer.Argument(
            help="A config.yaml of the original environment manager (camelCase keys, or the"
            " snake_case file it shipped), or an Envdeck one."
        ),
    ],
) -> None:
    """Print the equivalent Envdeck configuration file, with notes on renamed and left-out keys."""
    try:
        tree, notices = convert_config_file(file)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    sys.stdout.write(render_converted(file, tree, notices))
