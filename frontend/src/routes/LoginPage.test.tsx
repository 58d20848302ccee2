import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { getSession } from "../lib/session";
import { apiError, makeSession, NO_ENVIRONMENTS } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin", "fresh-token");

async function signIn(username: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("Username or email"), username);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("Login page", () => {
  it("shows a refused sign-in inline and stays on the login page", async () => {
    const fetchMock = stubApi({
      "POST /api/v1/auth/login": apiError(401, "UNAUTHORIZED", "invalid username or password"),
    });
    const { router } = renderApp("/login");

    await signIn("ada", "not-the-password");

    expect(await screen.findByRole("alert")).toHaveTextContent("Invalid username or password");
    expect(router.state.location.pathname).toBe("/login");
    expect(screen.getByLabelText("Username or email")).toHaveValue("ada");
    expect(getSession()).toBeNull();
    // Handled in the page: one API call, no navigation, and no token sent with it.
    expect(requestsTo(fetchMock)).toEqual(["GET /api/v1/setup", "POST /api/v1/auth/login"]);
    const [login] = fetchMock.mock.calls[1]!;
    expect(login.headers.get("Authorization")).toBeNull();
    expect(await login.json()).toEqual({ username: "ada", password: "not-the-password" });
  });

  it("sends a visitor to the login page, then back to the page they asked for", async () => {
    stubApi({
      "POST /api/v1/auth/login": { status: 200, body: ADMIN },
      "GET /api/v1/tokens": {
        status: 200,
        body: { tokens: [], pagination: { page: 1, limit: 20, total: 0, totalPages: 0 } },
      },
    });
    const { router } = renderApp("/tokens?page=2");

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(screen.queryByText(/session ended/)).not.toBeInTheDocument();

    await signIn("ada", "quartz-lantern-orbit-91");

    expect(await screen.findByRole("heading", { name: "API tokens" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/tokens");
    expect(router.state.location.search).toBe("?page=2");
    expect(getSession()?.token).toBe("fresh-token");
  });

  it("opens the Environments page after a sign-in that came from nowhere", async () => {
    stubApi({
      "POST /api/v1/auth/login": { status: 200, body: ADMIN },
      ...NO_ENVIRONMENTS,
    });
    const { router } = renderApp("/login");

    await signIn("ada@example.test", "quartz-lantern-orbit-91");

    expect(await screen.findByRole("heading", { name: "Environments" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/environments");
  });

  it("says how long to wait when failed sign-ins are rate-limited", async () => {
    stubApi({
      "POST /api/v1/auth/login": {
        ...apiError(429, "RATE_LIMITED", "too many failed logins: try again later", {
          retryAfter: 840,
        }),
        headers: { "Retry-After": "840" },
      },
    });
    renderApp("/login");

    await signIn("ada", "guess-number-eleven");

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Too many attempts: try again in 14 minutes",
    );
  });

  it("asks for the fields before calling the server", async () => {
    const fetchMock = stubApi({});
    renderApp("/login");
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Enter your username or email")).toBeInTheDocument();
    expect(screen.getByText("Enter your password")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).toEqual(["GET /api/v1/setup"]);
  });

  it("goes to the setup page while there is no admin yet", async () => {
    stubApi({ "GET /api/v1/setup": { status: 200, body: { needsSetup: true } } });
    const { router } = renderApp("/system");

    expect(await screen.findByRole("heading", { name: "Set up Envdeck" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/setup");
  });

  it("keeps the setup page out of reach once setup is done", async () => {
    stubApi({});
    const { router } = renderApp("/setup");

    expect(await screen.findByRole("heading", { name: "Sign in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
  });
});
