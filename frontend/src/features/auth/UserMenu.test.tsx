import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { getSession } from "../../lib/session";
import { HEALTH, makeSession, makeUser, READY } from "../../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";

describe("a user who must change their password", () => {
  const session = {
    ...makeSession("user", "migrated"),
    user: makeUser({ username: "bob", role: "user", mustChangePassword: true }),
  };

  it("is asked for a new one at once, and carries on with the new token", async () => {
    const after = { ...makeSession("user", "after-change"), user: makeUser({ username: "bob" }) };
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "POST /api/v1/users/password/change": { status: 200, body: after },
    });
    renderApp("/system", { session });
    const user = userEvent.setup();

    const dialog = await screen.findByRole("dialog", { name: "Choose a new password" });
    expect(dialog).toHaveTextContent("does not meet this Envdeck's password policy");
    await user.type(screen.getByLabelText("Current password"), "secret1");
    await user.type(screen.getByLabelText("New password"), "amber-walrus-tundra-57");
    await user.type(screen.getByLabelText("Confirm new password"), "amber-walrus-tundra-57");
    await user.click(screen.getByRole("button", { name: "Change password" }));

    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    expect(getSession()?.token).toBe("after-change");
  });

  it("is signed out by Cancel", async () => {
    const fetchMock = stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "POST /api/v1/auth/logout": { status: 204 },
    });
    renderApp("/system", { session });
    const user = userEvent.setup();

    await screen.findByRole("dialog", { name: "Choose a new password" });
    await user.click(screen.getByRole("button", { name: "Cancel" }));

    await waitFor(() => expect(getSession()).toBeNull());
    expect(requestsTo(fetchMock)).toContain("POST /api/v1/auth/logout");
  });
});
