import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, HEALTH, makeSession, NO_ENVIRONMENTS, READY } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";
import { getSession, saveSession, SESSION_KEY } from "./session";

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("The session", () => {
  it("ends on a 401 to a signed-in request: login page, notice, then back", async () => {
    const old = makeSession("user", "revoked-token");
    const fresh = makeSession("user", "new-token");
    let healthy = false;
    stubApi({
      "/api/v1/health": (request) =>
        healthy && request.headers.get("Authorization") === "Bearer new-token"
          ? HEALTH
          : apiError(401, "UNAUTHORIZED", "the token was revoked", { reason: "revoked" }),
      "/api/v1/ready": READY,
      "POST /api/v1/auth/login": () => {
        healthy = true;
        return { status: 200, body: fresh };
      },
    });
    const { router } = renderApp("/system?tab=storage", { session: old });

    expect(await screen.findByText("Your session ended: sign in again")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(getSession()).toBeNull();
    expect(window.localStorage.getItem(SESSION_KEY)).toBeNull();

    const user = userEvent.setup();
    await user.type(screen.getByLabelText("Username or email"), "user-vic");
    await user.type(screen.getByLabelText("Password"), "quartz-lantern-orbit-91");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("0.1.0")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/system");
    expect(router.state.location.search).toBe("?tab=storage");
    expect(screen.queryByText("Your session ended: sign in again")).not.toBeInTheDocument();
  });

  it("does not use a session whose token has expired", async () => {
    const expired = { ...makeSession("admin"), expiresAt: "2020-01-01T00:00:00Z" };
    const fetchMock = stubApi({ "/api/v1/health": HEALTH, "/api/v1/ready": READY });
    const { router } = renderApp("/system", { session: expired });

    expect(await screen.findByText("Your session ended: sign in again")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    const sent = fetchMock.mock.calls.map(([request]) => request.headers.get("Authorization"));
    expect(sent).not.toContain(`Bearer ${expired.token}`);
  });

  it("is not ended by a late 401 for a token that was already replaced", async () => {
    let answer401: () => void = () => {};
    stubApi({
      "/api/v1/health": () =>
        new Promise((resolve) => {
          answer401 = () => resolve(apiError(401, "UNAUTHORIZED", "the session ended"));
        }),
      "/api/v1/ready": READY,
      // Admins also see the instances: none here, so the only alert is the session's.
      "/api/v1/system/instances": { status: 200, body: { instances: [], self: "" } },
    });
    const { router } = renderApp("/system", { session: makeSession("admin", "old-token") });
    await screen.findByRole("heading", { name: "System status" });

    act(() => saveSession(makeSession("admin", "new-token"))); // a password change, say
    answer401();

    expect(await screen.findByRole("alert")).toHaveTextContent("the session ended");
    expect(getSession()?.token).toBe("new-token");
    expect(router.state.location.pathname).toBe("/system");
  });

  it("signs out: revokes the token, forgets it and shows the login page", async () => {
    const session = makeSession("admin", "token-to-revoke");
    const fetchMock = stubApi({
      ...NO_ENVIRONMENTS,
      "POST /api/v1/auth/logout": { status: 204 },
    });
    // On the start page: the login page has nowhere else to go back to, so it says why.
    const { router } = renderApp("/environments", { session });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "ada" }));
    await user.click(screen.getByRole("menuitem", { name: "Sign out" }));

    expect(await screen.findByText("You have signed out.")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(getSession()).toBeNull();
    const logout = fetchMock.mock.calls.find(([r]) => r.url.endsWith("/api/v1/auth/logout"));
    expect(logout?.[0].headers.get("Authorization")).toBe("Bearer token-to-revoke");
    expect(requestsTo(fetchMock)).toContain("POST /api/v1/auth/logout");
  });

  it("changes the password and carries on with the new token", async () => {
    const session = makeSession("admin", "before-change");
    const after = { ...makeSession("admin", "after-change") };
    const fetchMock = stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "POST /api/v1/users/password/change": { status: 200, body: after },
    });
    renderApp("/system", { session });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "ada" }));
    await user.click(screen.getByRole("menuitem", { name: "Change password" }));
    const dialog = await screen.findByRole("dialog", { name: "Change password" });
    await user.type(screen.getByLabelText("Current password"), "quartz-lantern-orbit-91");
    await user.type(screen.getByLabelText("New password"), "amber-walrus-tundra-57");
    await user.type(screen.getByLabelText("Confirm new password"), "amber-walrus-tundra-57");
    await user.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByText(/Password changed/)).toBeInTheDocument();
    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    expect(getSession()?.token).toBe("after-change");
    const change = fetchMock.mock.calls.find(([r]) => r.url.endsWith("/password/change"));
    expect(await change?.[0].json()).toEqual({
      currentPassword: "quartz-lantern-orbit-91",
      newPassword: "amber-walrus-tundra-57",
    });
  });

  it("shows a wrong current password next to its field, keeping the session", async () => {
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "POST /api/v1/users/password/change": apiError(
        422,
        "VALIDATION_ERROR",
        "the current password is not correct",
        { field: "currentPassword" },
      ),
    });
    renderApp("/system", { session: makeSession("admin") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "ada" }));
    await user.click(screen.getByRole("menuitem", { name: "Change password" }));
    await user.type(await screen.findByLabelText("Current password"), "wrong-password-here");
    await user.type(screen.getByLabelText("New password"), "amber-walrus-tundra-57");
    await user.type(screen.getByLabelText("Confirm new password"), "amber-walrus-tundra-57");
    await user.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByText("The current password is not correct")).toBeInTheDocument();
    expect(screen.getByLabelText("Current password")).toHaveAccessibleDescription(
      "The current password is not correct",
    );
    expect(getSession()).not.toBeNull();
  });

  it("shows the profile as the server has it", async () => {
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "GET /api/v1/auth/me": {
        status: 200,
        body: { ...makeSession("admin").user, email: "ada@lovelace.test" },
      },
    });
    renderApp("/system", { session: makeSession("admin") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "ada" }));
    await user.click(screen.getByRole("menuitem", { name: "Profile" }));

    expect(await screen.findByRole("definition", { name: "Email" })).toHaveTextContent(
      "ada@lovelace.test",
    );
    expect(screen.getByRole("definition", { name: "Username" })).toHaveTextContent("ada");
    expect(screen.getByRole("definition", { name: "Role" })).toHaveTextContent("Admin");
  });
});
