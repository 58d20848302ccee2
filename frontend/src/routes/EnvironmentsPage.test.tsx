import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { VIEW_MODE_KEY } from "../features/environments/useViewMode";
import { environmentList, makeEnvironment, makeSession, NO_ENVIRONMENTS } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");
const VIEWER = makeSession("viewer");

const ALPHA = makeEnvironment("alpha", { tags: ["web", "prod"] });
const BETA = makeEnvironment("beta", {
  description: "",
  environmentURL: null,
  tags: [],
  status: { health: "unhealthy", lastCheck: null, message: "timeout", consecutiveFailures: 3 },
  systemInfo: { appVersion: "", osVersion: "", kernel: "", versionUnverified: false },
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

describe("Environments dashboard", () => {
  it("is the start page, first in the navigation", async () => {
    stubApi({ ...NO_ENVIRONMENTS });
    const { router } = renderApp("/", { session: VIEWER });

    expect(await screen.findByRole("heading", { name: "Environments" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/environments");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getAllByRole("link")[0]).toHaveTextContent("Environments");
    expect(document.title).toBe("Environments · Envdeck");
  });

  it("shows the counts and a card per environment of the page", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([ALPHA, BETA], 1042),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: ADMIN });

    const alpha = await screen.findByRole("article", { name: "alpha" });
    expect(within(alpha).getByRole("link", { name: "alpha" })).toHaveAttribute(
      "href",
      `/environments/${ALPHA.id}`,
    );
    expect(within(alpha).getByText("The alpha environment")).toBeInTheDocument();
    const url = within(alpha).getByRole("link", { name: "https://alpha.example.test" });
    expect(url).toHaveAttribute("target", "_blank");
    expect(within(alpha).getByText("Version: 2.4.1")).toBeInTheDocument();
    expect(within(alpha).getByText("prod")).toBeInTheDocument();
    expect(within(alpha).getByText("Healthy")).toBeInTheDocument();
    expect(within(alpha).getByText(/^Last check: .*2025/)).toBeInTheDocument();

    const beta = screen.getByRole("article", { name: "beta" });
    expect(within(beta).getByText("Unhealthy")).toBeInTheDocument();
    expect(within(beta).getByText("Last check: Never")).toBeInTheDocument();

    const counts = screen.getByRole("list", { name: "Environment counts" });
    expect(within(counts).getByRole("listitem", { name: "Total" })).toHaveTextContent("1042");
    expect(within(counts).getByRole("listitem", { name: "Unhealthy" })).toHaveTextContent("40");
    expect(within(counts).getByRole("listitem", { name: "Unknown" })).toHaveTextContent("2");

    // One page from the server, never everything.
    const [first] = listQueries(fetchMock);
    expect(first?.get("page")).toBe("1");
    expect(first?.get("limit")).toBe("24");
    expect(first?.get("sort")).toBe("name");
    expect(screen.getByText("1–24 of 1042")).toBeInTheDocument();
  });

  it("sends the search, tag, health, sort and page to the server", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([ALPHA, BETA], 1042),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: VIEWER });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" });

    await user.click(screen.getByRole("button", { name: "Go to next page" }));
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("page")).toBe("2"));

    await user.type(screen.getByRole("searchbox", { name: "Search environments" }), "alp");
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("q")).toBe("alp"));
    // A search starts again from the first page, and only the settled text is sent.
    expect(listQueries(fetchMock).at(-1)?.get("page")).toBe("1");
    expect(listQueries(fetchMock).map((q) => q.get("q"))).not.toContain("a");

    await user.click(screen.getByRole("button", { name: "prod (12)" }));
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("tag")).toBe("prod"));
    expect(screen.getByRole("button", { name: "prod (12)" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );

    await user.click(screen.getByRole("combobox", { name: "Health" }));
    await user.click(await screen.findByRole("option", { name: "Unhealthy" }));
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("status")).toBe("unhealthy"));

    await user.click(screen.getByRole("combobox", { name: "Sort by" }));
    await user.click(await screen.findByRole("option", { name: "Last check (newest first)" }));
    await waitFor(() => expect(listQueries(fetchMock).at(-1)?.get("sort")).toBe("-lastCheck"));

    const last = listQueries(fetchMock).at(-1)!;
    expect(Object.fromEntries(last)).toEqual({
      page: "1",
      limit: "24",
      sort: "-lastCheck",
      q: "alp",
      tag: "prod",
      status: "unhealthy",
    });
  });

  it("offers a viewer no actions and no import", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([ALPHA, BETA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: VIEWER });

    await screen.findByRole("article", { name: "alpha" });
    expect(screen.queryByRole("button", { name: /^Actions for/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Import / export" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "New environment" })).not.toBeInTheDocument();
    expect(screen.queryByRole("link", { name: "Credentials" })).not.toBeInTheDocument();

    const user = userEvent.setup();
    await user.click(screen.getByRole("button", { name: "Table" }));
    const table = await screen.findByRole("table", { name: "Environments" });
    expect(within(table).queryByText("Actions")).not.toBeInTheDocument();
  });

  it("tells a viewer there is nothing yet, and an admin how to add some", async () => {
    stubApi({ ...NO_ENVIRONMENTS });
    renderApp("/environments", { session: VIEWER });
    expect(
      await screen.findByText("An administrator has not added any environment yet."),
    ).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Import environments" })).not.toBeInTheDocument();
  });

  it("offers an admin a new environment or an import when there is nothing yet", async () => {
    stubApi({ ...NO_ENVIRONMENTS });
    renderApp("/environments", { session: ADMIN });
    const user = userEvent.setup();

    const empty = (await screen.findByText("No environments yet")).parentElement!;
    expect(within(empty).getByRole("link", { name: "New environment" })).toHaveAttribute(
      "href",
      "/environments/new",
    );
    await user.click(within(empty).getByRole("button", { name: "Import environments" }));
    expect(
      await screen.findByRole("dialog", { name: "Import / export environments" }),
    ).toBeInTheDocument();
  });

  it("remembers the table view", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([ALPHA, BETA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    const first = renderApp("/environments", { session: ADMIN });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" });

    await user.click(screen.getByRole("button", { name: "Table" }));
    const table = await screen.findByRole("table", { name: "Environments" });
    expect(within(table).getByRole("link", { name: "alpha" })).toHaveAttribute(
      "href",
      `/environments/${ALPHA.id}`,
    );
    expect(screen.queryByRole("article")).not.toBeInTheDocument();
    expect(window.localStorage.getItem(VIEW_MODE_KEY)).toBe("table");
    first.unmount();

    renderApp("/environments", { session: ADMIN });
    expect(await screen.findByRole("table", { name: "Environments" })).toBeInTheDocument();
  });

  it("deletes an environment from its actions menu once confirmed", async () => {
    let deleted = false;
    const fetchMock = stubApi({
      "GET /api/v1/environments": () => environmentList(deleted ? [BETA] : [ALPHA, BETA]),
      "GET /api/v1/environments/summary": SUMMARY,
      [`DELETE /api/v1/environments/${ALPHA.id}`]: () => {
        deleted = true;
        return { status: 204 };
      },
    });
    renderApp("/environments", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Actions for alpha" }));
    expect(screen.getByRole("menuitem", { name: "Edit" })).toHaveAttribute(
      "href",
      `/environments/${ALPHA.id}/edit`,
    );
    expect(screen.getByRole("menuitem", { name: "Open details" })).toHaveAttribute(
      "href",
      `/environments/${ALPHA.id}`,
    );
    await user.click(screen.getByRole("menuitem", { name: "Delete" }));
    const dialog = await screen.findByRole("dialog", { name: "Delete alpha?" });
    expect(deleted).toBe(false);
    await user.click(within(dialog).getByRole("button", { name: "Delete environment" }));

    expect(await screen.findByText("Deleted alpha.")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByRole("article", { name: "alpha" })).not.toBeInTheDocument(),
    );
    expect(requestsTo(fetchMock)).toContain(`DELETE /api/v1/environments/${ALPHA.id}`);
  });
});
