import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { type ApiToken } from "../features/tokens/queries";
import { makeSession, onePage } from "../test/fixtures";
import { type Answer, renderApp, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const SECRET = "edk_s3cr3t-only-shown-once";

function makeToken(overrides: Partial<ApiToken> = {}): ApiToken {
  return {
    id: "tok-1",
    name: "CI deploy",
    prefix: "edk_s3cr",
    role: "user",
    userId: "id-user-vic",
    createdAt: "2025-03-01T10:00:00Z",
    lastUsedAt: null,
    expiresAt: null,
    ...overrides,
  };
}

function tokenList(tokens: ApiToken[]): Answer {
  return onePage("tokens", tokens);
}

describe("API tokens page", () => {
  it("shows a new token's secret once, then never again", async () => {
    const tokens: ApiToken[] = [];
    let sent: unknown = null;
    stubApi({
      "GET /api/v1/tokens": () => tokenList(tokens),
      "POST /api/v1/tokens": async (request) => {
        sent = await request.json();
        const token = makeToken();
        tokens.push(token);
        return { status: 201, body: { token, secret: SECRET } };
      },
    });
    renderApp("/tokens", { session: makeSession("user") });
    const user = userEvent.setup();

    expect(await screen.findByText("You have no API tokens.")).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create token" }));
    const form = await screen.findByRole("dialog", { name: "Create API token" });
    await user.type(within(form).getByLabelText("Name"), "CI deploy");
    await user.click(within(form).getByRole("button", { name: "Create token" }));

    const shown = await screen.findByRole("dialog", { name: "Copy your new token" });
    expect(within(shown).getByLabelText("Token")).toHaveValue(SECRET);
    expect(within(shown).getByText(/You won't see it again/)).toBeInTheDocument();
    expect(sent).toEqual({ name: "CI deploy", role: "user", expiresAt: null });

    await user.click(within(shown).getByRole("button", { name: "Copy" }));
    expect(await within(shown).findByText("Copied to the clipboard.")).toBeInTheDocument();
    expect(await navigator.clipboard.readText()).toBe(SECRET);

    await user.click(within(shown).getByRole("button", { name: "Done" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const table = screen.getByRole("table", { name: "API tokens" });
    expect(await within(table).findByText("CI deploy")).toBeInTheDocument();
    expect(within(table).getByText("edk_s3cr…")).toBeInTheDocument();
    expect(screen.queryByDisplayValue(SECRET)).not.toBeInTheDocument();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it("offers no role above the caller's own", async () => {
    stubApi({ "GET /api/v1/tokens": tokenList([]) });
    renderApp("/tokens", { session: makeSession("user") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Create token" }));
    const role = await screen.findByRole("combobox", { name: "Role" });
    expect(role).toHaveTextContent("User");
    await user.click(role);

    const options = await screen.findAllByRole("option");
    expect(options.map((o) => o.textContent)).toEqual(["Viewer", "User"]);
  });

  it("sends an expiry date as the end of that day", async () => {
    let sent: { expiresAt?: string } = {};
    stubApi({
      "GET /api/v1/tokens": tokenList([]),
      "POST /api/v1/tokens": async (request) => {
        sent = (await request.json()) as typeof sent;
        return { status: 201, body: { token: makeToken(), secret: SECRET } };
      },
    });
    renderApp("/tokens", { session: makeSession("viewer") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Create token" }));
    await user.type(await screen.findByLabelText("Name"), "nightly report");
    await user.type(screen.getByLabelText("Expires on (optional)"), "2099-12-31");
    await user.click(
      within(screen.getByRole("dialog")).getByRole("button", { name: "Create token" }),
    );

    await screen.findByRole("dialog", { name: "Copy your new token" });
    expect(sent.expiresAt).toBe(new Date("2099-12-31T23:59:59").toISOString());
  });

  it("revokes a token only once confirmed", async () => {
    let revoked = false;
    stubApi({
      "GET /api/v1/tokens": () => tokenList(revoked ? [] : [makeToken()]),
      "DELETE /api/v1/tokens/tok-1": () => {
        revoked = true;
        return { status: 204 };
      },
    });
    renderApp("/tokens", { session: makeSession("user") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Revoke CI deploy" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke “CI deploy”?" });
    expect(revoked).toBe(false);
    await user.click(within(dialog).getByRole("button", { name: "Revoke token" }));

    expect(await screen.findByText("Revoked “CI deploy”.")).toBeInTheDocument();
    expect(revoked).toBe(true);
    expect(await screen.findByText("You have no API tokens.")).toBeInTheDocument();
  });
});
