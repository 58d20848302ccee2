import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { getSession } from "../lib/session";
import { apiError, makeSession, NO_ENVIRONMENTS } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const NEEDS_SETUP = { "GET /api/v1/setup": { status: 200, body: { needsSetup: true } } };

async function fillIn(values: { token?: string; password: string; confirm?: string }) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText("Setup token"), values.token ?? "setup-secret");
  await user.type(screen.getByLabelText("Username"), "ada");
  await user.type(screen.getByLabelText("Email (optional)"), "ada@example.test");
  await user.type(screen.getByLabelText("Password"), values.password);
  await user.type(screen.getByLabelText("Confirm password"), values.confirm ?? values.password);
  await user.click(screen.getByRole("button", { name: "Create admin and sign in" }));
}

describe("Setup page", () => {
  it("shows the password policy's feedback next to the password", async () => {
    stubApi({
      ...NEEDS_SETUP,
      "POST /api/v1/setup": apiError(422, "VALIDATION_ERROR", "the password is too easy to guess", {
        field: "password",
        score: 1,
        warning: "This is similar to a commonly used password.",
        suggestions: ["Add another word or two. Uncommon words are better."],
      }),
    });
    const { router } = renderApp("/setup");

    await fillIn({ password: "password12345" });

    const password = screen.getByLabelText("Password");
    expect(await screen.findByText("The password is too easy to guess")).toBeInTheDocument();
    expect(password).toHaveAttribute("aria-invalid", "true");
    expect(password).toHaveAccessibleDescription(
      expect.stringContaining("This is similar to a commonly used password."),
    );
    expect(password).toHaveAccessibleDescription(
      expect.stringContaining("Add another word or two. Uncommon words are better."),
    );
    expect(router.state.location.pathname).toBe("/setup");
    expect(getSession()).toBeNull();
  });

  it("checks the obvious rules before asking the server", async () => {
    const fetchMock = stubApi(NEEDS_SETUP);
    renderApp("/setup");

    await fillIn({ password: "short", confirm: "other" });

    expect(await screen.findByText("Use at least 12 characters")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).toEqual(["GET /api/v1/setup"]);
  });

  it("says a wrong setup token is wrong, next to the token", async () => {
    stubApi({
      ...NEEDS_SETUP,
      "POST /api/v1/setup": apiError(401, "UNAUTHORIZED", "wrong setup token", { field: "token" }),
    });
    renderApp("/setup");

    await fillIn({ token: "guessed", password: "quartz-lantern-orbit-91" });

    expect(await screen.findByText("Wrong setup token")).toBeInTheDocument();
    expect(screen.getByLabelText("Setup token")).toHaveAccessibleDescription("Wrong setup token");
  });

  it("signs the new admin in and opens the app", async () => {
    const session = makeSession("admin", "first-admin-token");
    const fetchMock = stubApi({
      ...NEEDS_SETUP,
      "POST /api/v1/setup": { status: 201, body: session },
      ...NO_ENVIRONMENTS,
    });
    const { router } = renderApp("/setup");

    await fillIn({ token: "  setup-secret ", password: "quartz-lantern-orbit-91" });

    expect(await screen.findByRole("heading", { name: "Environments" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/environments");
    expect(getSession()?.token).toBe("first-admin-token");
    const setup = fetchMock.mock.calls.find(([r]) => r.method === "POST");
    expect(await setup?.[0].json()).toEqual({
      token: "setup-secret",
      username: "ada",
      email: "ada@example.test",
      password: "quartz-lantern-orbit-91",
    });
    expect(screen.getByRole("link", { name: "Users" })).toBeInTheDocument();
  });
});
