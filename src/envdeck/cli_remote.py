"""What the commands that talk to a running Envdeck share (`envdeck reserve`, `envdeck promote`).

They reach the server given by --url (or ENVDECK_URL) with an API token (--token or
ENVDECK_TOKEN). What a script may rely on is the exit status and, on success, what the command
prints on stdout; a failure is one line on stderr (`envdeck: error: …`), followed only by the
details a person needs to act on it (the failed gates of a refused promotion), each indented.
"""

import json
import sys
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    import httpx

# The exit statuses every remote command shares; a command may add its own (3).
REFUSED = 2  # the request or the command is wrong: a retry gets the same answer
UNAVAILABLE = 4  # no answer, a server error or too many requests: a retry later may succeed

UrlOption = Annotated[
    str | None,
    typer.Option(
        envvar="ENVDECK_URL",
        help="The running Envdeck (e.g. https://envdeck.example.com) (or ENVDECK_URL).",
    ),
]
TokenOption = Annotated[
    str | None,
    typer.Option(envvar="ENVDECK_TOKEN", help="API token for --url (or ENVDECK_TOKEN)."),
]


class Refusal(Exception):
    """A failure of a command: its one-line message, its exit status, and indented details."""

    def __init__(
        self,
        message: str,
        exit_code: int,
        status: int | None = None,
        details: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = one_line(message)  # whatever the server said
        self.exit_code = exit_code
        self.status = status  # the HTTP status, when the server answered
        self.details = [one_line(detail) for detail in details or []]


def one_line(text: str) -> str:
    return " ".join(text.split())


def exit_with(refusal: Refusal) -> NoReturn:
    typer.secho(f"envdeck: error: {refusal.message}", err=True, fg=typer.colors.RED)
    for detail in refusal.details:
        typer.echo(f"  {detail}", err=True)
    raise typer.Exit(code=refusal.exit_code)


def print_json(document: Any) -> None:
    json.dump(document, sys.stdout, indent=2)
    sys.stdout.write("\n")
    sys.stdout.flush()


@dataclass(frozen=True)
class ApiError:
    """The JSON error envelope of an answer: {"error": {code, message, details}}."""

    status: int
    code: str
    message: str
    details: dict[str, Any]


def error_of(response: "httpx.Response") -> ApiError | None:
    """Return the error envelope of an answer, or None when it has none (not Envdeck's)."""
    try:
        error = response.json()["error"]
        code, message, details = str(error["code"]), str(error["message"]), error.get("details")
    except (ValueError, KeyError, TypeError):
        return None
    return ApiError(
        response.status_code, code, message, details if isinstance(details, dict) else {}
    )


def refusal_of(response: "httpx.Response", api: str) -> Refusal:
    """Return the failure an error answer (status >= 400) of the `api` API stands for."""
    status = response.status_code
    error = error_of(response)
    if error is None:
        if status >= 500 or status == 429:
            return Refusal(f"the server answered {status}: try again later", UNAVAILABLE)
        return Refusal(
            f"the server answered {status}, not as Envdeck does: is --url the Envdeck server?",
            REFUSED,
        )
    if status >= 500 or status == 429:
        return Refusal(f"{error.message} (HTTP {status}): try again later", UNAVAILABLE, status)
    if error.code == "METHOD_NOT_ALLOWED" or error.message == "no such route":
        return Refusal(f"no {api} API here: is --url an Envdeck with {api}?", REFUSED, status)
    return Refusal(f"{error.message} (HTTP {status})", REFUSED, status)


class Remote:
    """One running Envdeck reached with an API token: `with Remote(url, token, "…") as remote`."""

    def __init__(self, url: str | None, token: str | None, api: str, timeout: float) -> None:
        import httpx

        if not url:
            raise Refusal("needs the server's URL: --url or ENVDECK_URL", REFUSED)
        if not token:
            raise Refusal("--url needs an API token: --token or ENVDECK_TOKEN", REFUSED)
        self.url = url
        self.token = token
        self.api = api
        try:
            self._client = httpx.Client(
                base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=timeout
            )
        except httpx.InvalidURL as exc:
            raise Refusal(f"--url {url!r} is not an http(s) URL: {exc}", REFUSED) from None

    def __enter__(self) -> "Remote":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._client.close()

    def send(self, method: str, path: str, body: Any = None, **params: Any) -> "httpx.Response":
        """Send one request and return the answer, whatever its status."""
        import httpx

        try:
            return self._client.request(method, path, json=body, params=params or None)
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
            raise Refusal(f"--url {self.url!r} is not an http(s) URL: {exc}", REFUSED) from None
        except httpx.HTTPError as exc:
            raise Refusal(
                f"cannot reach {self.url}: {exc or type(exc).__name__}", UNAVAILABLE
            ) from None
        except UnicodeEncodeError:
            raise Refusal("the token has characters no API token has", REFUSED) from None

    def decoded(self, response: "httpx.Response") -> Any:
        """Return the JSON of a successful answer, or raise the Refusal an error answer is."""
        if response.status_code >= 400:
            raise refusal_of(response, self.api)
        try:
            return response.json()
        except ValueError:
            raise Refusal(
                f"the server answered {response.status_code} without JSON: is --url the"
                " Envdeck server?",
                REFUSED,
            ) from None

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        """Send one request; return the decoded answer or raise the Refusal it stands for."""
        return self.decoded(self.send(method, path, body, **params))
