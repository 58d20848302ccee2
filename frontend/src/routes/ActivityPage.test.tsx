import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { LogEntry } from "../features/activity/filters";
import { FakeWebSocket } from "../test/fakeWebSocket";
import { makeEnvironment, makeSession, NO_ENVIRONMENTS } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");
const VIEWER = makeSession("viewer");
const ENV_ID = "64b7f0c2a1d3e4f5a6b7c8d9";
const OTHER_USER = "650000000000000000000abc";

let sequence = 0;
function makeEntry(overrides: Partial<LogEntry> = {}): LogEntry {
  sequence += 1;
  return {
    id: `6600000000000000000${String(sequence).padStart(5, "0")}`,
    timestamp: "2025-03-01T09:30:00Z",
    environmentId: ENV_ID,
    environmentName: "alpha",
    userId: OTHER_USER,
    username: "grace",
    type: "action",
    level: "success",
    action: "restart",
    message: `Restarted alpha (${sequence})`,
    details: { exitCode: 0, durationMs: 1234 },
    attention: false,
    ...overrides,
  };
}

const RESTART = makeEntry({ message: "Restarted alpha" });
const LOGIN = makeEntry({
  environmentId: null,
  environmentName: null,
  type: "auth",
  level: "info",
  action: "login",
  message: "grace signed in",
  details: { ip: "127.0.0.1" },
});

function logList(logs: LogEntry[], total = logs.length, limit = 20) {
  return {
    status: 200,
    body: { logs, pagination: { page: 1, limit, total, totalPages: Math.ceil(total / limit) } },
  };
}

const UNREAD = { status: 200, body: { count: 0, since: null } };

/** The query of every request to this path the stub received. */
function queries(fetchMock: ReturnType<typeof stubApi>, path: string): URLSearchParams[] {
  return fetchMock.mock.calls
    .map(([request]) => new URL(request.url))
    .filter((url) => url.pathname === path)
    .map((url) => url.searchParams);
}

async function connected(): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  const socket = FakeWebSocket.latest();
  act(() => socket.accept());
  return socket;
}

function tableRows(): HTMLElement[] {
  const table = screen.getByRole("table", { name: "Activity log" });
  // Each entry is a row and a (folded) row of details.
  return within(table)
    .getAllByRole("row")
    .filter((row) => row.getAttribute("aria-label"));
}

describe("Activity page", () => {
  it("is in everyone's navigation and lists the newest entries first", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/logs": logList([RESTART, LOGIN], 57),
      "GET /api/v1/logs/unread": UNREAD,
      ...NO_ENVIRONMENTS,
    });
    renderApp("/activity", { session: VIEWER });

    expect(await screen.findByRole("heading", { name: "Activity" })).toBeInTheDocument();
    expect(document.title).toBe("Activity · Envdeck");
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Activity" })).toHaveAttribute(
      "href",
      "/activity",
    );

    await screen.findByRole("row", { name: "Restarted alpha" });
    expect(tableRows().map((row) => row.getAttribute("aria-label"))).toEqual([
      "Restarted alpha",
      "grace signed in",
    ]);
    const restart = screen.getByRole("row", { name: "Restarted alpha" });
    expect(within(restart).getByText("Success")).toBeInTheDocument();
    expect(within(restart).getByRole("link", { name: "alpha" })).toHaveAttribute(
      "href",
      `/environments/${ENV_ID}`,
    );
    expect(screen.getByRole("status")).toHaveTextContent("57 entries");
    const [first] = queries(fetchMock, "/api/v1/logs");
    expect(Object.fromEntries(first!)).toEqual({ page: "1", limit: "20" });
  });

  it("sends the filters to the server and keeps them in the address", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/logs": logList([RESTART, LOGIN], 57),
      "GET /api/v1/logs/unread": UNREAD,
      ...NO_ENVIRONMENTS,
    });
    const { router } = renderApp("/activity?type=auth&level=error&bogus=1", { session: ADMIN });
    const user = userEvent.setup();
    await screen.findByRole("row", { name: "Restarted alpha" });
    const last = () => queries(fetchMock, "/api/v1/logs").at(-1)!;
    // From the address, straight away.
    expect(last().get("type")).toBe("auth");
    expect(last().get("level")).toBe("error");

    await user.click(screen.getByRole("combobox", { name: "Level" }));
    await user.click(await screen.findByRole("option", { name: "Warning" }));
    await waitFor(() => expect(last().get("level")).toBe("warning"));

    await user.type(screen.getByRole("searchbox", { name: "Search activity" }), "deploy");
    await waitFor(() => expect(last().get("q")).toBe("deploy"));
    // Only the settled text is sent.
    expect(queries(fetchMock, "/api/v1/logs").map((q) => q.get("q"))).not.toContain("d");

    await user.type(screen.getByRole("combobox", { name: "Action" }), "restart");
    await user.tab();
    await waitFor(() => expect(last().get("action")).toBe("restart"));

    fireEvent.change(screen.getByLabelText("From"), { target: { value: "2025-03-01" } });
    await waitFor(() =>
      expect(last().get("startDate")).toBe(new Date("2025-03-01T00:00:00").toISOString()),
    );
    fireEvent.change(screen.getByLabelText("To"), { target: { value: "2025-03-02" } });
    await waitFor(() =>
      expect(last().get("endDate")).toBe(new Date("2025-03-02T23:59:59").toISOString()),
    );

    await user.click(screen.getByRole("button", { name: "Go to next page" }));
    await waitFor(() => expect(last().get("page")).toBe("2"));

    // Clicking a user's name narrows to that user, and a new filter starts at page one.
    await user.click(within(tableRows()[0]!).getByRole("button", { name: "grace" }));
    await waitFor(() => expect(last().get("userId")).toBe(OTHER_USER));
    expect(last().get("page")).toBe("1");

    expect(Object.fromEntries(new URLSearchParams(router.state.location.search))).toEqual({
      type: "auth",
      level: "warning",
      q: "deploy",
      action: "restart",
      from: "2025-03-01",
      to: "2025-03-02",
      userId: OTHER_USER,
      bogus: "1",
    });

    await user.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(Object.fromEntries(last())).toEqual({ page: "1", limit: "20" }));
    expect(screen.getByRole("searchbox", { name: "Search activity" })).toHaveValue("");
  }, 30_000);

  it("unfolds an entry's details as pretty JSON", async () => {
    stubApi({
      "GET /api/v1/logs": logList([RESTART]),
      "GET /api/v1/logs/unread": UNREAD,
      ...NO_ENVIRONMENTS,
    });
    renderApp("/activity", { session: VIEWER });
    const user = userEvent.setup();
    const row = await screen.findByRole("row", { name: "Restarted alpha" });

    await user.click(within(row).getByRole("button", { name: "Show details" }));
    const details = await screen.findByLabelText("Details of Restarted alpha");
    expect(details.textContent).toBe(JSON.stringify(RESTART.details, null, 2));
    expect(within(row).getByRole("button", { name: "Hide details" })).toHaveAttribute(
      "aria-expanded",
      "true",
    );
  });

  it("puts new entries that match the filters on top while the live tail is on", async () => {
    stubApi({
      "GET /api/v1/logs": logList([RESTART], 1),
      "GET /api/v1/logs/unread": UNREAD,
      ...NO_ENVIRONMENTS,
    });
    renderApp("/activity?type=action", { session: VIEWER });
    const user = userEvent.setup();
    await screen.findByRole("row", { name: "Restarted alpha" });
    const socket = await connected();
    const send = (entry: LogEntry) =>
      act(() => socket.receive({ type: "log", payload: { entry } }));

    // Off: nothing moves.
    send(makeEntry({ message: "Upgraded alpha to 2.5.0", action: "upgrade" }));
    expect(tableRows()).toHaveLength(1);

    await user.click(screen.getByRole("switch", { name: "Live tail" }));
    send(makeEntry({ message: "Restarted beta", environmentName: "beta" }));
    send(makeEntry({ message: "ada signed in", type: "auth", action: "login" }));

    await screen.findByRole("row", { name: "Restarted beta" });
    expect(tableRows().map((row) => row.getAttribute("aria-label"))).toEqual([
      "Restarted beta",
      "Restarted alpha",
    ]);
    expect(screen.getByRole("status")).toHaveTextContent("2 entries");

    await user.click(screen.getByRole("switch", { name: "Live tail" }));
    send(makeEntry({ message: "Restarted gamma" }));
    expect(screen.queryByRole("row", { name: "Restarted gamma" })).not.toBeInTheDocument();
  });

  it("exports what the filters match as CSV", async () => {
    // jsdom makes no object URLs and downloads nothing: see what the page asks for.
    const createObjectURL = vi.fn((_blob: Blob) => "blob:activity");
    URL.createObjectURL = createObjectURL;
    URL.revokeObjectURL = vi.fn();
    const downloads: string[] = [];
    const click = vi
      .spyOn(HTMLAnchorElement.prototype, "click")
      .mockImplementation(function (this: HTMLAnchorElement) {
        downloads.push(`${this.download} ${this.href}`);
      });
    const fetchMock = stubApi({
      "GET /api/v1/logs": logList([RESTART]),
      "GET /api/v1/logs/unread": UNREAD,
      "GET /api/v1/logs/export": {
        status: 200,
        text: "id,timestamp\n1,2025\n",
        headers: {
          "Content-Type": "text/csv",
          "Content-Disposition": 'attachment; filename="envdeck-activity.csv"',
        },
      },
      ...NO_ENVIRONMENTS,
    });
    renderApp("/activity?level=error&q=disk", { session: VIEWER });
    const user = userEvent.setup();
    await screen.findByRole("row", { name: "Restarted alpha" });

    await user.click(screen.getByRole("button", { name: "Export CSV" }));
    await waitFor(() => expect(downloads).toEqual(["envdeck-activity.csv blob:activity"]));
    click.mockRestore();
    expect(await createObjectURL.mock.calls[0]![0].text()).toBe("id,timestamp\n1,2025\n");
    const [exported] = queries(fetchMock, "/api/v1/logs/export");
    expect(Object.fromEntries(exported!)).toEqual({ format: "csv", level: "error", q: "disk" });
  });
});

describe("Notifications bell", () => {
  // A busy machine renders the whole app slowly.
  const FIRST_RENDER = { timeout: 10_000 };
  const SLOW = { timeout: 5_000 };
  // What the server flags as needing a person (domain/attention.py), and what it does not.
  const UNHEALTHY = makeEntry({
    type: "health_check",
    level: "error",
    action: "check_health",
    userId: null,
    username: null,
    message: "alpha is unhealthy: expected status 2xx, got 503",
    attention: true,
  });
  const FAILED = makeEntry({ level: "error", message: "Upgrade of alpha failed", attention: true });

  it("counts only what needs a person, live, lists it, and marks all read", async () => {
    let unread = 2;
    const fetchMock = stubApi({
      "GET /api/v1/logs": (request) =>
        new URL(request.url).searchParams.get("attention") === "true"
          ? logList([FAILED, UNHEALTHY])
          : logList([RESTART, FAILED, LOGIN, UNHEALTHY]),
      "GET /api/v1/logs/unread": () => ({
        status: 200,
        body: { count: unread, since: "2025-03-01T00:00:00Z" },
      }),
      "POST /api/v1/logs/read": () => {
        unread = 0;
        return { status: 204 };
      },
      ...NO_ENVIRONMENTS,
    });
    renderApp("/environments", { session: ADMIN });
    const user = userEvent.setup();
    expect(
      await screen.findByRole("button", { name: "Notifications, 2 unread" }, FIRST_RENDER),
    ).toBeInTheDocument();
    const socket = await connected();

    // Routine activity is for the Activity page: a restart, a sign-in, a health check passing.
    for (const routine of [
      makeEntry({ message: "Restarted beta" }),
      makeEntry({ type: "auth", action: "login", level: "info", message: "grace signed in" }),
      makeEntry({ type: "health_check", action: "check_health", message: "beta is healthy" }),
    ]) {
      act(() => socket.receive({ type: "log", payload: { entry: routine } }));
    }
    act(() =>
      socket.receive({
        type: "log",
        payload: {
          entry: makeEntry({
            action: "reservation_ended",
            level: "info",
            message: "grace's reservation of beta ended",
            attention: true,
          }),
        },
      }),
    );
    expect(
      await screen.findByRole("button", { name: "Notifications, 3 unread" }, SLOW),
    ).toBeInTheDocument();
    // One's own failures were seen as they happened.
    act(() =>
      socket.receive({
        type: "log",
        payload: {
          entry: makeEntry({ level: "error", userId: ADMIN.user.id, attention: true }),
        },
      }),
    );
    expect(screen.getByRole("button", { name: "Notifications, 3 unread" })).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Notifications, 3 unread" }));
    const menu = await screen.findByRole("menu", { name: "Needs attention" }, SLOW);
    expect(await within(menu).findByText("Upgrade of alpha failed", {}, SLOW)).toBeInTheDocument();
    expect(within(menu).getByText(UNHEALTHY.message)).toBeInTheDocument();
    expect(within(menu).queryByText("Restarted alpha")).not.toBeInTheDocument();
    expect(within(menu).queryByText("grace signed in")).not.toBeInTheDocument();
    expect(queries(fetchMock, "/api/v1/logs").at(-1)?.get("attention")).toBe("true");
    expect(within(menu).getByRole("menuitem", { name: "Open the activity log" })).toHaveAttribute(
      "href",
      "/activity",
    );

    await user.click(within(menu).getByRole("button", { name: "Mark all read" }));
    await waitFor(
      () => expect(within(menu).getByRole("button", { name: "Mark all read" })).toBeDisabled(),
      SLOW,
    );
    fireEvent.keyDown(menu, { key: "Escape" });
    expect(await screen.findByRole("button", { name: "Notifications" }, SLOW)).toBeInTheDocument();
    expect(requestsTo(fetchMock)).toContain("POST /api/v1/logs/read");
  }, 45_000);
});

describe("Environment details: Activity tab", () => {
  const ALPHA = makeEnvironment("alpha", { id: ENV_ID });

  it("shows the same view, filtered to the environment", async () => {
    const path = `/api/v1/environments/${ENV_ID}/logs`;
    const fetchMock = stubApi({
      [`GET /api/v1/environments/${ENV_ID}`]: { status: 200, body: ALPHA },
      [`GET ${path}`]: logList([RESTART]),
      "GET /api/v1/logs/unread": UNREAD,
    });
    const { router } = renderApp(`/environments/${ENV_ID}`, { session: VIEWER });
    const user = userEvent.setup();
    await screen.findByRole("heading", { level: 1, name: "alpha" });

    await user.click(screen.getByRole("tab", { name: "Activity" }));
    const row = await screen.findByRole("row", { name: "Restarted alpha" });
    expect(router.state.location.search).toBe("?tab=activity");
    // No environment column, nor filter: it is this one's log.
    expect(within(row).queryByRole("link", { name: "alpha" })).not.toBeInTheDocument();
    expect(screen.queryByRole("combobox", { name: "Environment" })).not.toBeInTheDocument();

    await user.click(screen.getByRole("combobox", { name: "Type" }));
    await user.click(await screen.findByRole("option", { name: "Health check" }));
    await waitFor(() => expect(queries(fetchMock, path).at(-1)?.get("type")).toBe("health_check"));
    expect(router.state.location.search).toBe("?tab=activity&type=health_check");
  });
});
