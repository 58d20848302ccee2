"""`envdeck reserve …`: a pipeline claims a free environment from a running Envdeck, and
releases it when done (docs/reservations-ci.md).

Both commands talk to the server given by --url (or ENVDECK_URL) with an API token (--token or
ENVDECK_TOKEN), as `envdeck import --url` does. What a script may rely on is the exit status
(EXIT_CODES) and, on success, one JSON document on stdout; any failure is one line on stderr.
"""

import re
from typing import TYPE_CHECKING, Annotated, Any

import typer

from envdeck.cli_remote import (
    REFUSED,
    UNAVAILABLE,
    Refusal,
    Remote,
    TokenOption,
    UrlOption,
    error_of,
    exit_with,
    print_json,
)
from envdeck.cli_remote import refusal_of as remote_refusal_of

if TYPE_CHECKING:
    import httpx

# The exit statuses, a contract with the scripts that call these commands.
NONE_AVAILABLE = 3  # claim: no matching environment is free now

EXIT_CODES = f"""Exit status:
  0  done
  {REFUSED}  refused: no token, bad token, not allowed, not found, invalid input
  {NONE_AVAILABLE}  no matching environment is free (claim; stderr says when one frees up)
  {UNAVAILABLE}  the server did not answer, failed or is busy: retry later"""

reserve_app = typer.Typer(
    help="Claim a free environment for a pipeline, and release it.",
    epilog=EXIT_CODES,
    no_args_is_help=True,
)

# Generous: many claims at once queue on the server (bench/reservations.py), and a claim given
# up on may still reserve an environment, held until its end for nobody.
TIMEOUT_SECONDS = 120
# What the API's ids look like (and nothing that would change the request's path).
RESERVATION_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
OVER = {"ended", "released", "broken"}


def refusal_of(response: "httpx.Response") -> Refusal:
    """Return the failure an error answer (status >= 400) of the API stands for."""
    error = error_of(response)
    if error is not None and error.code == "NONE_AVAILABLE" and error.status < 500:
        next_free = error.details.get("nextFreeAt")
        when = (
            f"the next one frees up at {next_free}"
            if next_free
            else "no reservation of a matching environment is due to end"
        )
        return Refusal(f"{error.message}; {when}", NONE_AVAILABLE, error.status)
    return remote_refusal_of(response, "reservations")


def _call(url: str | None, token: str | None, method: str, path: str, body: Any = None) -> Any:
    """Send one request; return the decoded answer or raise the Refusal it stands for."""
    with Remote(url, token, "reservations", TIMEOUT_SECONDS) as remote:
        response = remote.send(method, path, body)
        if response.status_code >= 400:
            raise refusal_of(response)
        return remote.decoded(response)


@reserve_app.command("claim", epilog=EXIT_CODES)
def claim(
    duration: Annotated[str, typer.Option("--for", help="How long to hold it: 30m, 2h, 1h30m, …")],
    purpose: Annotated[str, typer.Option(help='Why, shown to everyone (e.g. "PR 123").')],
    tag: Annotated[
        list[str] | None,
        typer.Option(
            metavar="<tag>",
            help="Only environments with this tag (repeat: with every one of them).",
        ),
    ] = None,
    environment: Annotated[
        list[str] | None,
        typer.Option(
            metavar="<id>", help="Only this environment, by id (repeat: any one of them)."
        ),
    ] = None,
    allow_unhealthy: Annotated[
        bool,
        typer.Option("--allow-unhealthy", help="Also take an environment that is not healthy."),
    ] = False,
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """Reserve one free, healthy, matching environment and print it as JSON.

    One atomic step on the server: parallel claims never get the same environment.
    Prints {"environment": …, "reservation": …}; a script reads them with
    `jq -r .environment.environmentURL` and `jq -r .reservation.id`.
    """
    body: dict[str, Any] = {
        "duration": duration,
        "purpose": purpose,
        "requireHealthy": not allow_unhealthy,
    }
    if tag:
        body["tags"] = tag
    if environment:
        body["environmentIds"] = environment
    try:
        answer = _call(url, token, "POST", "/api/v1/reservations/claim", body)
    except Refusal as refusal:
        exit_with(refusal)
    print_json(answer)


@reserve_app.command("release", epilog=EXIT_CODES)
def release(
    reservation_id: Annotated[
        str, typer.Argument(metavar="ID", help="The reservation's id (.reservation.id).")
    ],
    url: UrlOption = None,
    token: TokenOption = None,
) -> None:
    """End a reservation now, freeing its environment; print the reservation as JSON.

    A reservation already over (ended, released or broken) is printed as it is, with a note:
    a cleanup step may release what has ended by itself meanwhile.
    """
    try:
        if not RESERVATION_ID.fullmatch(reservation_id):
            raise Refusal(f"{reservation_id!r} is not a reservation id", REFUSED)
        answer = _release(url, token, f"/api/v1/reservations/{reservation_id}")
    except Refusal as refusal:
        exit_with(refusal)
    print_json(answer)


def _release(url: str | None, token: str | None, path: str) -> Any:
    """Release the reservation at path; return it, or the one over already (with a note)."""
    try:
        return _call(url, token, "POST", f"{path}/release", {})
    except Refusal as refusal:
        if refusal.status != 422:  # the answer to a reservation that is over
            raise
        reservation = _call(url, token, "GET", path)
        if not isinstance(reservation, dict) or reservation.get("status") not in OVER:
            raise refusal from None
    typer.echo(
        f"envdeck: note: the reservation was over already ({reservation['status']})", err=True
    )
    return reservation
