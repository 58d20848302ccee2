import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, environmentList, makeEnvironment, makeSession } from "../test/fixtures";
import { makeOperation, operableEnvironment, startsOperation } from "../test/operations";
import { renderApp, stubApi } from "../test/renderApp";

const FIRST_RENDER = { timeout: 10_000 };
const LAZY_PAGE = { timeout: 30_000 };
// Each test renders the whole dashboard and clicks through it: a few seconds alone, several
// times that on a machine busy with other test files.
vi.setConfig({ testTimeout: 60_000 });

beforeEach(() => {
  vi.stubGlobal("scrollTo", vi.fn());
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const SUMMARY = {
  status: 200,
  body: {
    total: 1042,
    byHealth: { healthy: 1000, unhealthy: 40, unknown: 2 },
    byTag: { web: 900, prod: 12 },
  },
};

/** The query parameters of every list request the stub received. */
function listQueries(fetchMock: ReturnType<typeof stubApi>): URLSearchParams[] {
  return fetchMock.mock.calls
    .map(([request]) => new URL(request.url))
    .filter((url) => url.pathname === "/api/v1/environments")
    .map((url) => url.searchParams);
}

describe("Dashboard state in the URL", () => {
  it("shows the filters, sort, page and page size a shared link names", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([makeEnvironment("alpha")], 1042),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments?q=alp&status=unhealthy&tag=prod&sort=-health&page=3&perPage=48", {
      session: makeSession("viewer"),
    });

    await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    expect(Object.fromEntries(listQueries(fetchMock)[0]!)).toEqual({
      q: "alp",
      status: "unhealthy",
      tag: "prod",
      sort: "-health",
      page: "3",
      limit: "48",
    });
    expect(screen.getByRole("searchbox", { name: "Search environments" })).toHaveValue("alp");
    expect(screen.getByRole("button", { name: "prod (12)" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(screen.getByText("97–144 of 1042")).toBeInTheDocument();
  });

  it("writes each choice into the URL, and a new page starts at the top", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([makeEnvironment("alpha")], 1042),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    const { router } = renderApp("/environments", { session: makeSession("viewer") });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    expect(router.state.location.search).toBe("");

    await user.click(screen.getByRole("button", { name: "Go to next page" }));
    await waitFor(() => expect(router.state.location.search).toBe("?page=2"));
    expect(window.scrollTo).toHaveBeenCalledWith({ top: 0 });

    await user.type(screen.getByRole("searchbox", { name: "Search environments" }), "shop");
    // The search goes back to the first page.
    await waitFor(() => expect(router.state.location.search).toBe("?q=shop"));
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("q")).toBe("shop"));
    expect(listQueries(fetchMock).at(-1)?.get("page")).toBe("1");
  });

  it("filters by health from a count, and shows everything again from Total", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([makeEnvironment("alpha")], 1042),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    const { router } = renderApp("/environments?page=4", { session: makeSession("viewer") });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    const counts = screen.getByRole("list", { name: "Environment counts" });

    await user.click(within(counts).getByRole("button", { name: /^Unhealthy/ }));
    await waitFor(() => expect(router.state.location.search).toBe("?status=unhealthy"));
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("status")).toBe("unhealthy"));
    expect(within(counts).getByRole("button", { name: /^Unhealthy/ })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(screen.getByRole("combobox", { name: "Health" })).toHaveTextContent("Unhealthy");

    await user.click(within(counts).getByRole("button", { name: /^Total/ }));
    await waitFor(() => expect(router.state.location.search).toBe(""));
    expect(within(counts).getByRole("button", { name: /^Total/ })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
  });
});

describe("Back to the dashboard", () => {
  it("returns from an environment's page to the dashboard as it was left", async () => {
    const alpha = makeEnvironment("alpha");
    stubApi({
      "GET /api/v1/environments": environmentList([alpha], 1042),
      "GET /api/v1/environments/summary": SUMMARY,
      [`GET /api/v1/environments/${alpha.id}`]: { status: 200, body: alpha },
    });
    const { router } = renderApp("/environments?tag=prod&page=2", {
      session: makeSession("viewer"),
    });
    const user = userEvent.setup();
    const card = await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);

    await user.click(within(card).getByRole("link", { name: "alpha" }));
    // The environment's page is a chunk of its own: its first load takes a while.
    const back = await screen.findByRole("link", { name: "All environments" }, LAZY_PAGE);
    expect(back).toHaveAttribute("href", "/environments?tag=prod&page=2");
    await user.click(back);
    await waitFor(() => expect(router.state.location.search).toBe("?tag=prod&page=2"));
  });
});

const app = (name: string, stage: string) =>
  makeEnvironment(`${name}-${stage}`, { metadata: { app: name, stage }, tags: [name, stage] });

describe("Grouped dashboard", () => {
  it("shows every match as swimlanes: an application a row, a stage a column", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([
        app("shop", "prod"),
        app("shop", "dev"),
        app("billing", "qa"),
        makeEnvironment("loose", { metadata: {} }),
      ]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments?group=meta:app&columns=meta:stage", {
      session: makeSession("user"),
    });

    const grid = await screen.findByRole("table", { name: "Environments by group" }, FIRST_RENDER);
    // Everything, a large page at a time, not one page of cards.
    expect(listQueries(fetchMock)[0]?.get("limit")).toBe("200");
    const headers = within(grid)
      .getAllByRole("columnheader")
      .map((cell) => cell.textContent);
    expect(headers).toEqual([
      "app \\ stage",
      "dev1 env",
      "qa1 env",
      "prod1 env",
      "No stage1 env",
    ]);
    const shop = within(grid).getByRole("row", { name: "shop" });
    expect(within(shop).getByRole("link", { name: "shop-prod" })).toBeInTheDocument();
    expect(within(shop).getByRole("link", { name: "shop-dev" })).toBeInTheDocument();
    expect(within(shop).queryByRole("link", { name: "billing-qa" })).not.toBeInTheDocument();
    expect(within(grid).getByRole("row", { name: "No app" })).toHaveTextContent("loose");
    expect(screen.getByRole("combobox", { name: "Group rows by" })).toHaveValue("app");
    expect(screen.queryByRole("navigation", { name: /pagination/i })).not.toBeInTheDocument();

    // A whole row is selected for a bulk action with its checkbox.
    await userEvent.click(
      within(shop).getByRole("checkbox", { name: "Select every environment in row shop" }),
    );
    expect(
      within(screen.getByRole("region", { name: "Bulk actions" })).getByText("2 selected"),
    ).toBeInTheDocument();
    expect(within(grid).getByRole("checkbox", { name: "Select shop-dev" })).toBeChecked();
  });

  it("groups by a key typed or picked, kept in the URL", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([app("shop", "prod"), app("shop", "dev")]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    const { router } = renderApp("/environments", { session: makeSession("viewer") });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "shop-prod" }, FIRST_RENDER);

    await user.click(screen.getByRole("combobox", { name: "Group rows by" }));
    await user.click(await screen.findByRole("option", { name: "app" }));
    await waitFor(() => expect(router.state.location.search).toBe("?group=meta%3Aapp"));
    await user.type(screen.getByRole("combobox", { name: "Columns by" }), "stage{Enter}");
    await waitFor(() =>
      expect(router.state.location.search).toBe("?group=meta%3Aapp&columns=meta%3Astage"),
    );
    const grid = await screen.findByRole("table", { name: "Environments by group" });
    expect(within(grid).getByRole("columnheader", { name: /^prod/ })).toBeInTheDocument();
    // A viewer sees the groups but selects nothing.
    expect(within(grid).queryByRole("checkbox")).not.toBeInTheDocument();
  });
});

describe("Bulk restart", () => {
  it("confirms the list, starts one restart each and shows each result", async () => {
    const alpha = operableEnvironment("alpha");
    const beta = operableEnvironment("beta");
    const started = makeOperation({ type: "restart", status: "running", environmentName: "alpha" });
    const bodies: unknown[] = [];
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([alpha, beta]),
      "GET /api/v1/environments/summary": SUMMARY,
      [`POST /api/v1/environments/${alpha.id}/restart`]: startsOperation(started, bodies),
      [`POST /api/v1/environments/${beta.id}/restart`]: apiError(
        409,
        "CONFLICT",
        "beta is reserved by ops-bob until 18:00",
      ),
      [`GET /api/v1/operations/${started.id}`]: { status: 200, body: started },
    });
    renderApp("/environments", { session: makeSession("user") });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);

    await user.click(screen.getByRole("checkbox", { name: "Select alpha" }));
    await user.click(screen.getByRole("checkbox", { name: "Select beta" }));
    const bar = screen.getByRole("region", { name: "Bulk actions" });
    expect(within(bar).getByText("2 selected")).toBeInTheDocument();
    await user.click(within(bar).getByRole("button", { name: "Restart…" }));

    const dialog = await screen.findByRole("dialog", { name: "Restart 2 environments" });
    const listed = within(dialog).getByRole("table", { name: "Environments to restart" });
    expect(within(listed).getByRole("rowheader", { name: "alpha" })).toBeInTheDocument();
    expect(within(listed).getByRole("rowheader", { name: "beta" })).toBeInTheDocument();
    const restarts = () =>
      fetchMock.mock.calls.filter(([request]) => request.url.endsWith("/restart"));
    expect(restarts()).toHaveLength(0);
    await user.click(within(dialog).getByRole("button", { name: "Restart 2 environments" }));

    const results = await within(dialog).findByRole("table", { name: "Results" });
    const alphaRow = within(results).getByRole("row", { name: /alpha/ });
    expect(await within(alphaRow).findByText("Running")).toBeInTheDocument();
    expect(within(alphaRow).getByRole("link", { name: "Details" })).toHaveAttribute(
      "href",
      `/operations/${started.id}`,
    );
    const betaRow = within(results).getByRole("row", { name: /beta/ });
    expect(
      within(betaRow).getByText("Refused: Beta is reserved by ops-bob until 18:00"),
    ).toBeInTheDocument();
    expect(within(dialog).getByRole("status")).toHaveTextContent("1 started, 1 refused");
    expect(restarts()).toHaveLength(2);
    expect(bodies).toEqual([{ force: false }]);
  });

  it("upgrades each to the newest version it lists, leaving out one already there", async () => {
    const alpha = operableEnvironment("alpha");
    const beta = operableEnvironment("beta", {
      systemInfo: { appVersion: "2.5.0", osVersion: "", kernel: "", versionUnverified: false },
    });
    const bodies: unknown[] = [];
    const versions = (current: string) => ({
      status: 200,
      body: { currentVersion: current, availableVersions: ["2.5.0", "2.4.1", "2.4.0"] },
    });
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([alpha, beta]),
      "GET /api/v1/environments/summary": SUMMARY,
      [`GET /api/v1/environments/${alpha.id}/versions`]: versions("2.4.0"),
      [`GET /api/v1/environments/${beta.id}/versions`]: versions("2.5.0"),
      [`POST /api/v1/environments/${alpha.id}/upgrade`]: startsOperation(makeOperation(), bodies),
      "GET /api/v1/operations/0000000000000000000000a1": { status: 200, body: makeOperation() },
    });
    renderApp("/environments?view=cards", { session: makeSession("admin") });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);

    await user.click(screen.getByRole("checkbox", { name: "Select all 2 shown" }));
    await user.click(screen.getByRole("button", { name: "Upgrade…" }));
    const dialog = await screen.findByRole("dialog", { name: "Upgrade 2 environments" });
    const listed = within(dialog).getByRole("table", { name: "Environments to upgrade" });
    expect(await within(listed).findByText("→ 2.5.0")).toBeInTheDocument();
    expect(within(listed).getByText("Skipped: Already runs 2.5.0")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Upgrade 1 environment" }));

    const results = await within(dialog).findByRole("table", { name: "Results" });
    expect(within(results).getByText("Skipped: Already runs 2.5.0")).toBeInTheDocument();
    await waitFor(() => expect(bodies).toEqual([{ version: "2.5.0", force: false }]));
    const upgrades = fetchMock.mock.calls.filter(([r]) => r.url.endsWith("/upgrade"));
    expect(upgrades).toHaveLength(1);
  });
});
