import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { expectNoAccess } from "../test/access";
import { apiError, HEALTH, makeSession, makeUser, onePage, READY } from "../test/fixtures";
import { type Answer, renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");
const ME = ADMIN.user;
const BOB = makeUser({
  username: "bob",
  role: "viewer",
  active: false,
  lastLogin: null,
  email: null,
});

function userList(users = [ME, BOB]): Answer {
  return onePage("users", users);
}

describe("Users page", () => {
  it("is neither shown nor offered to a viewer", async () => {
    const fetchMock = stubApi({ "/api/v1/health": HEALTH, "/api/v1/ready": READY });
    renderApp("/users", { session: makeSession("viewer") });

    await expectNoAccess(fetchMock, { link: "Users", path: "/api/v1/users" });
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "System status" })).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create user" })).not.toBeInTheDocument();
  });

  it("is not offered to a user either", async () => {
    stubApi({ "/api/v1/health": HEALTH, "/api/v1/ready": READY });
    renderApp("/system", { session: makeSession("user") });

    await screen.findByRole("heading", { name: "System status" });
    expect(screen.queryByRole("link", { name: "Users" })).not.toBeInTheDocument();
  });

  it("lists users for an admin, and searches them", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/users": (request) =>
        new URL(request.url).searchParams.get("q") === "bo" ? userList([BOB]) : userList(),
    });
    renderApp("/users", { session: ADMIN });

    const table = await screen.findByRole("table", { name: "Users" });
    const bobRow = (await within(table).findByText("bob")).closest("tr")!;
    expect(within(bobRow).getByText("Viewer")).toBeInTheDocument();
    expect(within(bobRow).getByText("Inactive")).toBeInTheDocument();
    expect(within(bobRow).getByText("Never")).toBeInTheDocument();
    expect(within(table).getByText("(you)")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Users" })).toHaveAttribute("href", "/users");

    const user = userEvent.setup();
    await user.type(screen.getByRole("searchbox", { name: "Search users" }), "bo");

    await waitFor(() => expect(within(table).queryByText("ada")).not.toBeInTheDocument());
    expect(within(table).getByText("bob")).toBeInTheDocument();
    const searched = fetchMock.mock.calls.map(([r]) => new URL(r.url).searchParams.get("q"));
    expect(searched).toContain("bo");
  });

  it("creates a viewer unless told otherwise", async () => {
    let created: unknown = null;
    const fetchMock = stubApi({
      "GET /api/v1/users": userList(),
      "POST /api/v1/users": async (request) => {
        created = await request.json();
        return { status: 201, body: makeUser({ username: "cleo", role: "viewer" }) };
      },
    });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Create user" }));
    const dialog = await screen.findByRole("dialog", { name: "Create user" });
    expect(within(dialog).getByRole("combobox", { name: "Role" })).toHaveTextContent("Viewer");
    await user.type(within(dialog).getByLabelText("Username"), "cleo");
    await user.type(within(dialog).getByLabelText("Password"), "quartz-lantern-orbit-91");
    await user.click(within(dialog).getByRole("button", { name: "Create user" }));

    expect(await screen.findByText("Created cleo.")).toBeInTheDocument();
    expect(created).toEqual({
      username: "cleo",
      email: null,
      role: "viewer",
      password: "quartz-lantern-orbit-91",
    });
    // The list is fetched again to show the new user.
    expect(requestsTo(fetchMock).filter((r) => r === "GET /api/v1/users")).toHaveLength(2);
  });

  it("offers every role when creating a user", async () => {
    stubApi({ "GET /api/v1/users": userList() });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Create user" }));
    await user.click(await screen.findByRole("combobox", { name: "Role" }));

    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Viewer", "User", "Admin"]);
  });

  it("shows the server's refusal to delete inside the confirmation dialog", async () => {
    stubApi({
      "GET /api/v1/users": userList(),
      [`DELETE /api/v1/users/${ME.id}`]: apiError(
        409,
        "CONFLICT",
        "you cannot delete your own account",
      ),
    });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Delete ada" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete ada?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete user" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "You cannot delete your own account",
    );
    expect(dialog).toBeInTheDocument();
  });

  it("deletes a user once confirmed", async () => {
    let deleted = false;
    stubApi({
      "GET /api/v1/users": () => (deleted ? userList([ME]) : userList()),
      [`DELETE /api/v1/users/${BOB.id}`]: () => {
        deleted = true;
        return { status: 204 };
      },
    });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Delete bob" }));
    expect(deleted).toBe(false);
    await user.click(await screen.findByRole("button", { name: "Delete user" }));

    expect(await screen.findByText("Deleted bob.")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole("cell", { name: "bob" })).not.toBeInTheDocument(),
    );
  });

  it("unlocks a user's sign-in once confirmed", async () => {
    let unlocked = 0;
    stubApi({
      "GET /api/v1/users": userList(),
      [`POST /api/v1/users/${BOB.id}/unlock`]: () => {
        unlocked += 1;
        return { status: 204 };
      },
    });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Unlock sign-in of bob" }));
    const dialog = await screen.findByRole("dialog", { name: "Unlock sign-in of bob?" });
    expect(unlocked).toBe(0);
    await user.click(within(dialog).getByRole("button", { name: "Unlock sign-in" }));

    expect(await screen.findByText("Unlocked sign-in of bob.")).toBeInTheDocument();
    expect(unlocked).toBe(1);
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("sends only what an edit changed, and shows a conflict in the dialog", async () => {
    let patch: unknown = null;
    stubApi({
      "GET /api/v1/users": userList(),
      [`PATCH /api/v1/users/${ME.id}`]: async (request) => {
        patch = await request.json();
        return apiError(409, "CONFLICT", "the last active admin cannot be demoted or deactivated");
      },
    });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Edit ada" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit ada" });
    await user.click(within(dialog).getByRole("switch", { name: "Active" }));
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "The last active admin cannot be demoted or deactivated",
    );
    expect(patch).toEqual({ active: false });
  });

  it("resets a password, showing the policy's advice when it is refused", async () => {
    stubApi({
      "GET /api/v1/users": userList(),
      [`POST /api/v1/users/${BOB.id}/password/reset`]: apiError(
        422,
        "VALIDATION_ERROR",
        "the password is too easy to guess",
        { field: "password", warning: "This is a very common password.", suggestions: [] },
      ),
    });
    renderApp("/users", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Reset password of bob" }));
    const dialog = await screen.findByRole("dialog", { name: "Reset password of bob" });
    await user.type(within(dialog).getByLabelText("New password"), "password1234");
    await user.click(within(dialog).getByRole("button", { name: "Reset password" }));

    expect(await within(dialog).findByText("This is a very common password.")).toBeInTheDocument();
    expect(within(dialog).getByText("The password is too easy to guess")).toBeInTheDocument();
  });
});
