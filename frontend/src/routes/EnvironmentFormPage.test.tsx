import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeEnvironment, makeSession, NO_ENVIRONMENTS } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");
const KEY_ID = "64b7f0c2a1d3e4f5a6b7c8d9";
const CREDENTIALS = {
  status: 200,
  body: {
    credentials: [
      {
        id: KEY_ID,
        name: "deploy-key",
        type: "key",
        username: "deploy",
        fingerprint: "SHA256:abc",
        hasPassphrase: false,
        createdAt: null,
        updatedAt: null,
      },
    ],
    pagination: { page: 1, limit: 200, total: 1, totalPages: 1 },
  },
};
const ALPHA = makeEnvironment("alpha", {
  metadata: { owner: "team-a" },
  healthCheck: {
    enabled: true,
    endpoint: "https://alpha.example.test/health",
    method: "GET",
    interval: 60,
    timeout: 10,
    failureThreshold: 1,
    tlsVerify: true,
    headers: { Authorization: "********", Accept: "application/json" },
    validation: { type: "statusCode", value: [200, "3xx"] },
  },
});
const PATH = `/api/v1/environments/${ALPHA.id}`;

/** Answer the create form's requests: `created` is the body it posts, once it has. */
function stubCreate(
  saved: ReturnType<typeof makeEnvironment>,
  more: Parameters<typeof stubApi>[0] = {},
) {
  const sent: { created: Record<string, unknown> | null } = { created: null };
  stubApi({
    ...NO_ENVIRONMENTS,
    "GET /api/v1/credentials": CREDENTIALS,
    "POST /api/v1/environments": async (request) => {
      sent.created = (await request.json()) as Record<string, unknown>;
      return { status: 201, body: saved };
    },
    [`GET /api/v1/environments/${saved.id}`]: { status: 200, body: saved },
    ...more,
  });
  return sent;
}

/** Paste into a field (user-event would read JSON's braces as key descriptors). */
function paste(field: HTMLElement, value: string) {
  fireEvent.change(field, { target: { value } });
}

async function choose(user: ReturnType<typeof userEvent.setup>, label: string, option: string) {
  await user.click(screen.getByRole("combobox", { name: label }));
  await user.click(await screen.findByRole("option", { name: option }));
}

// Typing into the whole form re-renders it per key: up to ~10 s a test alone, more on a busy
// machine running other files beside it.
vi.setConfig({ testTimeout: 60_000 });

describe("Environment form", () => {
  it("creates an environment from the dashboard's button, with a credential", async () => {
    const saved = makeEnvironment("gamma");
    const sent = stubCreate(saved, {
      [`GET /api/v1/credentials/${KEY_ID}`]: { status: 200, body: CREDENTIALS.body.credentials[0] },
    });
    const { router } = renderApp("/environments", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("link", { name: "New environment" }));
    expect(await screen.findByRole("heading", { name: "New environment" })).toBeInTheDocument();
    await user.type(await screen.findByLabelText("Name"), "gamma");
    await user.type(screen.getByLabelText("Environment URL"), "https://gamma.example.test");
    await user.type(screen.getByLabelText("Tags"), "prod, eu, prod");
    await user.type(screen.getByLabelText("Host"), "gamma.internal");
    await choose(user, "Credential", "deploy-key (SSH key)");
    await choose(user, "Host-key policy", "Off (insecure: the host key is not checked)");
    expect(screen.getByText(/Insecure: with the host-key check off/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Create environment" }));

    expect(await screen.findByRole("heading", { level: 1, name: "gamma" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/environments/${saved.id}`);
    // The page it leads to says what was done, once: not again after a reload.
    expect(await screen.findByText("Created gamma.")).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.state).toBeNull());
    expect(sent.created).toMatchObject({
      name: "gamma",
      environmentURL: "https://gamma.example.test",
      tags: ["prod", "eu"],
      target: { host: "gamma.internal", port: 22, hostKeyPolicy: "off" },
      credentials: { type: "key", keyId: KEY_ID },
      healthCheck: { enabled: false, interval: 60, timeout: 10, validation: null },
      commands: { type: "ssh", restart: { enabled: false } },
      upgradeConfig: { enabled: false },
    });
  });

  it("creates a credential from the picker, then selects and sends it", async () => {
    const NEW_ID = "64b7f0c2a1d3e4f5a6b7c8e0";
    const newCredential = {
      id: NEW_ID,
      name: "db password",
      type: "password",
      username: "app",
      fingerprint: null,
      hasPassphrase: false,
      createdAt: null,
      updatedAt: null,
    };
    let credentialSent: unknown = null;
    let environmentSent: Record<string, unknown> | null = null;
    const fetchMock = stubApi({
      // The list includes the new credential once it is stored.
      "GET /api/v1/credentials": () =>
        credentialSent
          ? {
              status: 200,
              body: {
                credentials: [...CREDENTIALS.body.credentials, newCredential],
                pagination: { page: 1, limit: 200, total: 2, totalPages: 1 },
              },
            }
          : CREDENTIALS,
      "POST /api/v1/credentials": async (request) => {
        credentialSent = await request.json();
        return { status: 201, body: newCredential };
      },
      "POST /api/v1/environments": async (request) => {
        environmentSent = (await request.json()) as Record<string, unknown>;
        return { status: 201, body: makeEnvironment("epsilon") };
      },
    });
    renderApp("/environments/new", { session: ADMIN });
    const user = userEvent.setup();

    await user.type(await screen.findByLabelText("Name"), "epsilon");
    await choose(user, "Credential", "New credential…");
    const dialog = await screen.findByRole("dialog", { name: "New credential" });
    await user.click(within(dialog).getByRole("combobox", { name: "Type" }));
    await user.click(await screen.findByRole("option", { name: "Password" }));
    await user.type(within(dialog).getByLabelText("Name"), "db password");
    await user.type(within(dialog).getByLabelText("Username"), "app");
    await user.type(
      within(dialog).getByLabelText("Password", { selector: "input[type=password]" }),
      "hunter2-but-longer",
    );
    await user.click(within(dialog).getByRole("button", { name: "Create credential" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(credentialSent).toMatchObject({
      type: "password",
      name: "db password",
      secret: "hunter2-but-longer",
    });
    // The dialog's submit is its own: the environment is not sent with it.
    expect(requestsTo(fetchMock)).not.toContain("POST /api/v1/environments");
    expect(
      requestsTo(fetchMock).filter((r) => r === "GET /api/v1/credentials").length,
    ).toBeGreaterThan(1);
    expect(screen.getByRole("combobox", { name: "Credential" })).toHaveTextContent(
      "db password (password)",
    );
    await user.click(screen.getByRole("combobox", { name: "Credential" }));
    expect(await screen.findByRole("option", { name: "db password (password)" })).toHaveAttribute(
      "aria-selected",
      "true",
    );
    await user.keyboard("{Escape}");

    await user.click(screen.getByRole("button", { name: "Create environment" }));
    await waitFor(() => expect(environmentSent).not.toBeNull());
    expect(environmentSent).toMatchObject({
      name: "epsilon",
      credentials: { type: "password", keyId: NEW_ID },
    });
  });

  it("checks the server's rules before sending, JSON as it is typed", async () => {
    const fetchMock = stubApi({ "GET /api/v1/credentials": CREDENTIALS });
    renderApp("/environments/new", { session: ADMIN });
    const user = userEvent.setup();

    await user.type(await screen.findByLabelText("Name"), "-bad name");
    paste(screen.getByLabelText("Health-check body (JSON)"), '{"ping": ');
    expect(await screen.findByText("Not valid JSON (leave empty for no body)")).toBeInTheDocument();
    await user.click(screen.getByRole("switch", { name: "Check health" }));
    await user.clear(screen.getByLabelText("Timeout (s)"));
    await user.type(screen.getByLabelText("Timeout (s)"), "60");
    await user.click(screen.getByRole("switch", { name: "Allow upgrades" }));
    await user.type(screen.getByLabelText("Upgrade command"), "deploy latest");
    await user.click(screen.getByRole("button", { name: "Create environment" }));

    expect(await screen.findByText(/starting with a letter or digit/)).toBeInTheDocument();
    expect(screen.getByText("An enabled health check needs an endpoint")).toBeInTheDocument();
    expect(screen.getByText("The timeout must be shorter than the interval")).toBeInTheDocument();
    expect(screen.getByText("The upgrade command must contain {VERSION}")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).not.toContain("POST /api/v1/environments");
  });

  it("takes a path endpoint, joined to the environment URL, and shows the URL it checks", async () => {
    const sent = stubCreate(makeEnvironment("delta"));
    renderApp("/environments/new", { session: ADMIN });
    const user = userEvent.setup();

    await user.type(await screen.findByLabelText("Name"), "delta");
    await user.click(screen.getByRole("switch", { name: "Check health" }));
    const endpoint = screen.getByLabelText("Endpoint");
    await user.type(endpoint, "/health");
    await user.click(screen.getByRole("button", { name: "Create environment" }));
    expect(await screen.findByText(/A path is joined to the environment URL/)).toBeInTheDocument();
    expect(sent.created).toBeNull();

    await user.type(screen.getByLabelText("Environment URL"), "https://delta.example.test/");
    expect(endpoint).toHaveAccessibleDescription("Checks https://delta.example.test/health");
    await user.click(screen.getByRole("button", { name: "Create environment" }));

    expect(await screen.findByRole("heading", { level: 1, name: "delta" })).toBeInTheDocument();
    expect(sent.created).toMatchObject({
      environmentURL: "https://delta.example.test/",
      healthCheck: { enabled: true, endpoint: "/health" },
    });
  });

  it("edits the status-code validation and shows the server's field errors on the fields", async () => {
    let sent: Record<string, unknown> | null = null;
    stubApi({
      "GET /api/v1/credentials": CREDENTIALS,
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`PUT ${PATH}`]: async (request) => {
        sent = (await request.json()) as Record<string, unknown>;
        return apiError(422, "VALIDATION_ERROR", "invalid request", {
          fields: [{ field: "target.port", message: "port is not allowed here" }],
        });
      },
    });
    renderApp(`/environments/${ALPHA.id}/edit`, { session: ADMIN });
    const user = userEvent.setup();

    const codes = await screen.findByLabelText("Status codes");
    expect(codes).toHaveValue("200, 3xx");
    await user.clear(codes);
    await user.type(codes, "204");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    const port = screen.getByLabelText("Port");
    expect(await screen.findByText("Port is not allowed here")).toBeInTheDocument();
    expect(port).toHaveAccessibleDescription("Port is not allowed here");
    expect(sent).toMatchObject({
      healthCheck: { validation: { type: "statusCode", value: 204 } },
      metadata: { owner: "team-a" },
    });
  });

  it("keeps a stored secret header unless a new value is typed", async () => {
    const puts: Record<string, unknown>[] = [];
    stubApi({
      "GET /api/v1/credentials": CREDENTIALS,
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`PUT ${PATH}`]: async (request) => {
        puts.push((await request.json()) as Record<string, unknown>);
        return { status: 200, body: ALPHA };
      },
    });
    const { router } = renderApp(`/environments/${ALPHA.id}/edit`, { session: ADMIN });
    const user = userEvent.setup();

    const headers = await screen.findByRole("group", { name: "Health-check headers" });
    expect(
      within(headers)
        .getAllByLabelText("Header name")
        .map((f) => (f as HTMLInputElement).value),
    ).toEqual(["Authorization", "Accept"]);
    const [secret] = within(headers).getAllByLabelText("Value");
    expect(secret).toHaveValue("");
    expect(secret).toHaveAttribute("placeholder", "Stored: type to replace");
    await user.type(screen.getByLabelText("Description"), " (edited)");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/environments/${ALPHA.id}`));
    expect(await screen.findByText("Saved alpha.")).toBeInTheDocument();
    expect(puts[0]).toMatchObject({
      description: "The alpha environment (edited)",
      healthCheck: { headers: { Authorization: "********", Accept: "application/json" } },
    });

    await router.navigate(`/environments/${ALPHA.id}/edit`);
    const again = await screen.findByRole("group", { name: "Health-check headers" });
    await user.type(within(again).getAllByLabelText("Value")[0]!, "Bearer new-token");
    await user.click(screen.getByRole("button", { name: "Save changes" }));
    await waitFor(() => expect(puts).toHaveLength(2));
    expect(puts[1]).toMatchObject({
      healthCheck: { headers: { Authorization: "Bearer new-token" } },
    });
  });

  it("marks names secret and sends masked URL, body and metadata secrets back unchanged", async () => {
    const masked = makeEnvironment("delta", {
      secretNames: ["pin"],
      metadata: { dbPassword: "********", pin: "********", owner: "team-d" },
      healthCheck: {
        enabled: true,
        endpoint: "https://probe:********@delta.example.test/health?token=********&region=eu",
        method: "POST",
        interval: 60,
        timeout: 10,
        failureThreshold: 1,
        tlsVerify: true,
        headers: {},
        body: { apiKey: "********", note: "visible" },
      },
    });
    const path = `/api/v1/environments/${masked.id}`;
    const puts: Record<string, unknown>[] = [];
    stubApi({
      "GET /api/v1/credentials": CREDENTIALS,
      [`GET ${path}`]: { status: 200, body: masked },
      [`PUT ${path}`]: async (request) => {
        puts.push((await request.json()) as Record<string, unknown>);
        return { status: 200, body: masked };
      },
    });
    const { router } = renderApp(`/environments/${masked.id}/edit`, { session: ADMIN });
    const user = userEvent.setup();

    const names = await screen.findByLabelText("Secret names");
    expect(names).toHaveValue("pin");
    await user.type(names, ", X-Team, PIN");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/environments/${masked.id}`));
    expect(puts[0]).toMatchObject({
      secretNames: ["pin", "X-Team"],
      metadata: { dbPassword: "********", pin: "********", owner: "team-d" },
      healthCheck: {
        endpoint: "https://probe:********@delta.example.test/health?token=********&region=eu",
        body: { apiKey: "********", note: "visible" },
      },
    });
  });

  it("checks only the request type chosen, and sends only what is valid of the other", async () => {
    let created: Record<string, unknown> | null = null;
    stubApi({
      "GET /api/v1/credentials": CREDENTIALS,
      "POST /api/v1/environments": async (request) => {
        created = (await request.json()) as Record<string, unknown>;
        return { status: 201, body: makeEnvironment("delta") };
      },
    });
    renderApp("/environments/new", { session: ADMIN });
    const user = userEvent.setup();

    await user.type(await screen.findByLabelText("Name"), "delta");
    await choose(user, "Restart by", "HTTP request");
    paste(screen.getByLabelText("Restart URL"), "not a url");
    paste(screen.getByLabelText("Restart body (JSON)"), "{oops");
    await user.click(screen.getByRole("button", { name: "Create environment" }));
    expect(await screen.findByText("Enter an http:// or https:// URL")).toBeInTheDocument();
    expect(screen.getByText("Not valid JSON (leave empty for no body)")).toBeInTheDocument();
    expect(created).toBeNull();

    await choose(user, "Restart by", "SSH command");
    await user.type(screen.getByLabelText("Restart command"), "systemctl restart app");
    await user.click(screen.getByRole("button", { name: "Create environment" }));

    await waitFor(() => expect(created).not.toBeNull());
    expect(created).toMatchObject({
      commands: {
        type: "ssh",
        restart: { command: "systemctl restart app", url: null, body: null },
      },
    });
  });

  it("is not open to a viewer", async () => {
    const fetchMock = stubApi({});
    renderApp("/environments/new", { session: makeSession("viewer") });

    expect(
      await screen.findByRole("heading", { name: "You don't have access" }),
    ).toBeInTheDocument();
    expect(requestsTo(fetchMock).filter((r) => r.includes("credentials"))).toEqual([]);
  });
});
