import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { expectNoAccess } from "../test/access";
import { apiError, makeSession, NO_ENVIRONMENTS, onePage } from "../test/fixtures";
import { type Answer, renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");

const DEPLOY_KEY = {
  id: "64b7f0c2a1d3e4f5a6b7c8d9",
  name: "deploy-key",
  type: "key" as const,
  username: "deploy",
  fingerprint: "SHA256:q1w2e3r4t5y6",
  hasPassphrase: true,
  createdAt: "2025-01-01T00:00:00Z",
  updatedAt: null,
};
const DB_PASSWORD = {
  ...DEPLOY_KEY,
  id: "64b7f0c2a1d3e4f5a6b7c8da",
  name: "db password",
  type: "password" as const,
  username: "postgres",
  fingerprint: null,
  hasPassphrase: false,
};

function credentialList(credentials = [DEPLOY_KEY, DB_PASSWORD]): Answer {
  return onePage("credentials", credentials);
}

describe("Credentials page", () => {
  it("is neither shown nor offered to a user", async () => {
    const fetchMock = stubApi({ ...NO_ENVIRONMENTS });
    renderApp("/credentials", { session: makeSession("user") });

    await expectNoAccess(fetchMock, { link: "Credentials", path: "/credentials" });
  });

  it("lists credentials for an admin, without any secret", async () => {
    stubApi({ "GET /api/v1/credentials": credentialList() });
    renderApp("/credentials", { session: ADMIN });

    const table = await screen.findByRole("table", { name: "Credentials" });
    const key = (await within(table).findByText("deploy-key")).closest("tr")!;
    expect(within(key).getByText("SSH key")).toBeInTheDocument();
    expect(within(key).getByText("deploy")).toBeInTheDocument();
    expect(within(key).getByText("SHA256:q1w2e3r4t5y6")).toBeInTheDocument();
    expect(within(key).getByText("Yes")).toBeInTheDocument();
    const password = within(table).getByText("db password").closest("tr")!;
    expect(within(password).getByText("Password")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Credentials" })).toHaveAttribute(
      "href",
      "/credentials",
    );
  });

  it("creates an SSH key credential from a pasted key", async () => {
    let created: unknown = null;
    stubApi({
      "GET /api/v1/credentials": credentialList(),
      "POST /api/v1/credentials": async (request) => {
        created = await request.json();
        return { status: 201, body: { ...DEPLOY_KEY, name: "ci-key" } };
      },
    });
    renderApp("/credentials", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New credential" }));
    const dialog = await screen.findByRole("dialog", { name: "New credential" });
    await user.type(within(dialog).getByLabelText("Name"), "ci-key");
    await user.type(within(dialog).getByLabelText("Username"), "ci");
    const key = within(dialog).getByRole("textbox", { name: "Private key" });
    expect(key.tagName).toBe("TEXTAREA");
    await user.type(key, "-----BEGIN KEY-----{Enter}abc{Enter}-----END KEY-----");
    await user.click(within(dialog).getByRole("button", { name: "Create credential" }));

    expect(await screen.findByText("Created ci-key.")).toBeInTheDocument();
    expect(created).toEqual({
      type: "key",
      name: "ci-key",
      username: "ci",
      secret: "-----BEGIN KEY-----\nabc\n-----END KEY-----",
      passphrase: null,
    });
  });

  it("creates a password credential, checking the fields first", async () => {
    let created: unknown = null;
    const fetchMock = stubApi({
      "GET /api/v1/credentials": credentialList(),
      "POST /api/v1/credentials": async (request) => {
        created = await request.json();
        return { status: 201, body: DB_PASSWORD };
      },
    });
    renderApp("/credentials", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New credential" }));
    const dialog = await screen.findByRole("dialog", { name: "New credential" });
    await user.click(within(dialog).getByRole("combobox", { name: "Type" }));
    await user.click(await screen.findByRole("option", { name: "Password" }));
    expect(within(dialog).queryByLabelText("Passphrase (optional)")).not.toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Name"), "-bad");
    await user.click(within(dialog).getByRole("button", { name: "Create credential" }));

    expect(await within(dialog).findByText(/starting with a letter or digit/)).toBeInTheDocument();
    expect(within(dialog).getByText("Enter the private key or the password")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).not.toContain("POST /api/v1/credentials");

    await user.clear(within(dialog).getByLabelText("Name"));
    await user.type(within(dialog).getByLabelText("Name"), "db password");
    await user.type(
      within(dialog).getByLabelText("Password", { selector: "input[type=password]" }),
      "hunter2-but-longer",
    );
    await user.click(within(dialog).getByRole("button", { name: "Create credential" }));

    expect(await screen.findByText("Created db password.")).toBeInTheDocument();
    expect(created).toMatchObject({ type: "password", secret: "hunter2-but-longer" });
  });

  it("saves only what an edit changed, keeping the stored secret", async () => {
    let patch: unknown = null;
    stubApi({
      "GET /api/v1/credentials": credentialList(),
      [`PATCH /api/v1/credentials/${DEPLOY_KEY.id}`]: async (request) => {
        patch = await request.json();
        return { status: 200, body: { ...DEPLOY_KEY, name: "deploy-key-2" } };
      },
    });
    renderApp("/credentials", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Edit deploy-key" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit deploy-key" });
    const name = within(dialog).getByLabelText("Name");
    await user.clear(name);
    await user.type(name, "deploy-key-2");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Saved deploy-key-2.")).toBeInTheDocument();
    expect(patch).toEqual({ name: "deploy-key-2" });
  });

  it("shows in the dialog that a credential in use cannot be deleted", async () => {
    stubApi({
      "GET /api/v1/credentials": credentialList(),
      [`DELETE /api/v1/credentials/${DEPLOY_KEY.id}`]: apiError(
        409,
        "CONFLICT",
        "credential deploy-key is used by 2 environment(s): point them at another credential first",
        {
          environments: [
            { id: "a".repeat(24), name: "alpha" },
            { id: "b".repeat(24), name: "beta" },
          ],
        },
      ),
    });
    renderApp("/credentials", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Delete deploy-key" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete deploy-key?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete credential" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Credential deploy-key is used by 2 environment(s)",
    );
    const users = within(dialog).getByRole("list", { name: "Environments using it" });
    expect(
      within(users)
        .getAllByRole("listitem")
        .map((li) => li.textContent),
    ).toEqual(["alpha", "beta"]);
    expect(dialog).toBeInTheDocument();
  });

  it("deletes an unused credential once confirmed", async () => {
    let deleted = false;
    stubApi({
      "GET /api/v1/credentials": () => credentialList(deleted ? [DB_PASSWORD] : undefined),
      [`DELETE /api/v1/credentials/${DEPLOY_KEY.id}`]: () => {
        deleted = true;
        return { status: 204 };
      },
    });
    renderApp("/credentials", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Delete deploy-key" }));
    await user.click(await screen.findByRole("button", { name: "Delete credential" }));

    expect(await screen.findByText("Deleted deploy-key.")).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByText("SHA256:q1w2e3r4t5y6")).not.toBeInTheDocument());
  });
});
