import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeEnvironment, makeSession, NO_ENVIRONMENTS } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const KEY_ID = "64b7f0c2a1d3e4f5a6b7c8d9";
const ALPHA = makeEnvironment("alpha", {
  tags: ["web", "prod"],
  metadata: { owner: "team-a", tier: 2 },
  target: {
    host: "alpha.internal",
    port: 2222,
    domain: "",
    hostKey: "",
    hostKeyPolicy: "off",
  },
  credentials: { type: "key", username: "deploy", keyId: KEY_ID },
  healthCheck: {
    enabled: true,
    endpoint: "/health",
    resolvedEndpoint: "https://alpha.example.test/health",
    method: "GET",
    interval: 30,
    timeout: 5,
    failureThreshold: 2,
    tlsVerify: true,
    headers: { Authorization: "********" },
    validation: { type: "statusCode", value: [200, 204] },
  },
  commands: {
    type: "http",
    restart: {
      enabled: true,
      command: "",
      method: "POST",
      url: "https://alpha.example.test/restart",
      timeout: 60,
      headers: {},
    },
  },
});
const PATH = `/api/v1/environments/${ALPHA.id}`;
const CREDENTIAL = {
  status: 200,
  body: {
    id: KEY_ID,
    name: "deploy-key",
    type: "key",
    username: "deploy",
    fingerprint: "SHA256:abc",
    hasPassphrase: false,
    createdAt: null,
    updatedAt: null,
  },
};

/** The value next to a label of a section. */
function detail(section: HTMLElement, label: string): HTMLElement {
  const term = within(section).getByText(label, { selector: "dt" });
  return term.nextElementSibling as HTMLElement;
}

describe("Environment details page", () => {
  it("shows the overview, target with the credential's name, and the configuration", async () => {
    stubApi({
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`GET /api/v1/credentials/${KEY_ID}`]: CREDENTIAL,
    });
    renderApp(`/environments/${ALPHA.id}`, { session: makeSession("admin") });

    expect(await screen.findByRole("heading", { level: 1, name: "alpha" })).toBeInTheDocument();
    expect(document.title).toBe("alpha · Envdeck");
    const overview = screen.getByRole("region", { name: "Overview" });
    expect(detail(overview, "Description")).toHaveTextContent("The alpha environment");
    expect(within(detail(overview, "URL")).getByRole("link")).toHaveAttribute(
      "href",
      "https://alpha.example.test",
    );
    expect(detail(overview, "Tags")).toHaveTextContent("webprod");

    const target = screen.getByRole("region", { name: "Target" });
    expect(detail(target, "Host")).toHaveTextContent("alpha.internal");
    expect(detail(target, "Port")).toHaveTextContent("2222");
    expect(detail(target, "Host-key policy")).toHaveTextContent("Off (not checked)");
    expect(await within(target).findByText("deploy-key")).toBeInTheDocument();

    const metadata = screen.getByRole("region", { name: "Metadata" });
    expect(detail(metadata, "owner")).toHaveTextContent("team-a");

    const configuration = screen.getByRole("region", { name: "Configuration" });
    const panel = within(configuration).getByRole("tabpanel");
    expect(detail(panel, "Endpoint")).toHaveTextContent(/^\/health$/);
    expect(detail(panel, "Checks URL")).toHaveTextContent("https://alpha.example.test/health");
    expect(detail(panel, "Headers")).toHaveTextContent("Authorization: ********");
    expect(detail(panel, "Validation")).toHaveTextContent(/^Status code: 200, 204$/);

    const user = userEvent.setup();
    await user.click(within(configuration).getByRole("tab", { name: "Restart" }));
    const restart = within(configuration).getByRole("tabpanel");
    expect(detail(restart, "Type")).toHaveTextContent("HTTP");
    expect(detail(restart, "URL")).toHaveTextContent("https://alpha.example.test/restart");
  });

  it("shows no SSH fields for an environment restarted and upgraded over HTTP", async () => {
    const web = makeEnvironment("web", {
      target: { host: "", port: 22, domain: "", hostKey: "", hostKeyPolicy: "tofu" },
      credentials: { type: "key", username: "", keyId: null },
      healthCheck: {
        ...ALPHA.healthCheck!,
        validation: { type: "jsonPath", value: { path: "$.status", equals: "ok", matches: null } },
      },
      commands: ALPHA.commands,
      upgradeConfig: {
        enabled: true,
        type: "http",
        versionListURL: "https://web.example.test/versions",
        upgradeCommand: { command: "", method: "POST", url: "https://web.example.test/up" },
      },
    } as Partial<typeof ALPHA>);
    stubApi({ [`GET /api/v1/environments/${web.id}`]: { status: 200, body: web } });
    renderApp(`/environments/${web.id}`, { session: makeSession("viewer") });

    await screen.findByRole("heading", { level: 1, name: "web" });
    const target = screen.getByRole("region", { name: "Target" });
    expect(target).toHaveTextContent("Nothing goes over SSH");
    for (const label of ["Port", "Host-key policy", "SSH username", "Credential"]) {
      expect(within(target).queryByText(label, { selector: "dt" })).not.toBeInTheDocument();
    }
    const panel = within(screen.getByRole("region", { name: "Configuration" })).getByRole(
      "tabpanel",
    );
    expect(detail(panel, "Validation")).toHaveTextContent(/^JSONPath: \$\.status equals "ok"$/);
  });

  it("shows a viewer no delete, and does not ask for credentials", async () => {
    const fetchMock = stubApi({ [`GET ${PATH}`]: { status: 200, body: ALPHA } });
    renderApp(`/environments/${ALPHA.id}`, { session: makeSession("viewer") });

    await screen.findByRole("heading", { level: 1, name: "alpha" });
    expect(screen.queryByRole("button", { name: "Delete" })).not.toBeInTheDocument();
    const target = screen.getByRole("region", { name: "Target" });
    expect(detail(target, "Credential")).toHaveTextContent(`Stored credential (${KEY_ID})`);
    expect(requestsTo(fetchMock).filter((r) => r.includes("/credentials"))).toEqual([]);
  });

  it("says when there is no such environment", async () => {
    stubApi({ [`GET ${PATH}`]: apiError(404, "NOT_FOUND", "environment not found") });
    renderApp(`/environments/${ALPHA.id}`, { session: makeSession("viewer") });

    expect(
      await screen.findByRole("heading", { name: "Environment not found" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "All environments" })).toHaveAttribute(
      "href",
      "/environments",
    );
  });

  it("deletes the environment once confirmed and goes back to the dashboard", async () => {
    let deleted = false;
    stubApi({
      ...NO_ENVIRONMENTS,
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`GET /api/v1/credentials/${KEY_ID}`]: CREDENTIAL,
      [`DELETE ${PATH}`]: () => {
        deleted = true;
        return { status: 204 };
      },
    });
    const { router } = renderApp(`/environments/${ALPHA.id}`, { session: makeSession("admin") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete alpha?" });
    await user.click(within(dialog).getByRole("button", { name: "Delete environment" }));

    expect(await screen.findByRole("heading", { name: "Environments" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/environments");
    expect(await screen.findByText("Deleted alpha.")).toBeInTheDocument();
    expect(deleted).toBe(true);
  });
});
