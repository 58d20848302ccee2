import { configure, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { components } from "../api/schema";
import { apiError, makeSession } from "../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../test/renderApp";

type StatusPageView = components["schemas"]["StatusPageView"];
type StatusPage = components["schemas"]["StatusPage"];

afterEach(() => {
  vi.unstubAllGlobals();
  localStorage.clear();
});

// A page's first render loads its code, which takes a while on a busy machine.
configure({ asyncUtilTimeout: 5_000 });

const DAY = 86_400_000;

/** 90 days ending today, all healthy but the ones given (percent, or null: no checks). */
function days(overrides: Record<number, number | null> = {}) {
  return Array.from({ length: 90 }, (_, n) => {
    const date = new Date(Date.now() - (89 - n) * DAY).toISOString().slice(0, 10);
    const uptime = n in overrides ? (overrides[n] ?? null) : 100;
    return { date, uptime, checks: uptime === null ? 0 : 288 };
  });
}

const VIEW: StatusPageView = {
  slug: "shop",
  title: "Shop",
  description: "The shop's environments",
  public: true,
  generatedAt: new Date().toISOString(),
  days: 90,
  overall: "unhealthy",
  leftOff: 0,
  environments: [
    {
      name: "shop-prod",
      health: "healthy",
      since: null,
      lastCheck: null,
      version: "2.4.1",
      uptime: 99.95,
      days: days({ 0: null, 1: null, 88: 97.5 }),
    },
    {
      name: "shop-staging",
      health: "unhealthy",
      since: null,
      lastCheck: null,
      version: null,
      uptime: null,
      days: days(Object.fromEntries(Array.from({ length: 90 }, (_, n) => [n, null]))),
    },
  ],
};

const PAGE: StatusPage = {
  id: "6b05a2c33c0ca6934944ef1a",
  slug: "shop",
  title: "Shop",
  description: "",
  scope: { tags: ["shop"], environmentIds: [] },
  public: true,
  enabled: true,
  createdBy: { userId: "id-ada", username: "ada" },
  createdAt: "2026-12-01T10:00:00.000Z",
  updatedAt: "2026-12-01T10:00:00.000Z",
};

describe("A status page", { timeout: 20_000 }, () => {
  it("shows signed-out readers each environment's health, version and 90 days", async () => {
    const fetchMock = stubApi({ "GET /api/v1/status/shop": { status: 200, body: VIEW } });
    renderApp("/status/shop");

    expect(await screen.findByRole("heading", { name: "Shop" })).toBeInTheDocument();
    expect(screen.getByText("Some environments are unhealthy")).toBeInTheDocument();
    const prod = screen.getByRole("listitem", { name: "shop-prod" });
    expect(within(prod).getByText("Healthy")).toBeInTheDocument();
    expect(within(prod).getByText("Version 2.4.1")).toBeInTheDocument();
    expect(within(prod).getByText("99.95 % uptime over 90 days")).toBeInTheDocument();
    expect(
      within(prod).getByRole("img", {
        name: "shop-prod: downtime on 1 of 88 days checked in the last 90 days",
      }),
    ).toBeInTheDocument();
    const staging = screen.getByRole("listitem", { name: "shop-staging" });
    expect(within(staging).getByText("Unhealthy")).toBeInTheDocument();
    expect(within(staging).getByText("Version unknown")).toBeInTheDocument();
    expect(within(staging).getByText("No data uptime over 90 days")).toBeInTheDocument();
    expect(
      within(staging).getByRole("img", { name: "shop-staging: no checks in the last 90 days" }),
    ).toBeInTheDocument();
    // No app frame, and no token sent: nobody is signed in.
    expect(screen.queryByRole("navigation", { name: "Main" })).not.toBeInTheDocument();
    const sent = fetchMock.mock.calls.map(([request]) => request.headers.get("Authorization"));
    expect(sent).toEqual([null]);
    expect(requestsTo(fetchMock)).toEqual(["GET /api/v1/status/shop"]);
  });

  it("tells each day's uptime on hover", async () => {
    stubApi({ "GET /api/v1/status/shop": { status: 200, body: VIEW } });
    renderApp("/status/shop");
    const user = userEvent.setup();

    const prod = await screen.findByRole("listitem", { name: "shop-prod" });
    const bar = within(prod).getByRole("img").children.item(88)!;
    await user.hover(bar);

    const day = VIEW.environments[0]!.days[88]!.date;
    expect(await screen.findByRole("tooltip")).toHaveTextContent(
      `${day}: 97.50 % healthy (288 checks)`,
    );
  });

  it("asks to sign in when the page is not public", async () => {
    stubApi({
      "GET /api/v1/status/shop": apiError(401, "UNAUTHORIZED", "sign in to see this status page"),
    });
    const { router } = renderApp("/status/shop");
    const user = userEvent.setup();

    expect(
      await screen.findByRole("heading", { name: "Sign in to see this status page" }),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("link", { name: "Sign in" }));

    await waitFor(() => expect(router.state.location.pathname).toBe("/login"));
    expect(router.state.location.state).toEqual({ from: "/status/shop" });
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
  });

  it("says when a group has no environments yet", async () => {
    stubApi({
      "GET /api/v1/status/shop": {
        status: 200,
        body: { ...VIEW, overall: "unknown", environments: [] },
      },
    });
    renderApp("/status/shop");

    expect(await screen.findByText("No environments on this page yet.")).toBeInTheDocument();
  });
});

// Typing into a dialog is slow on a busy machine.
describe("Status pages (admin)", { timeout: 30_000 }, () => {
  it("lists pages with their address and readers, and creates one", async () => {
    let created: unknown = null;
    stubApi({
      "GET /api/v1/status-pages": {
        status: 200,
        body: { statusPages: [PAGE], pagination: { page: 1, limit: 20, total: 1, totalPages: 1 } },
      },
      "POST /api/v1/status-pages": async (request) => {
        created = await request.json();
        return { status: 201, body: { ...PAGE, slug: "billing", title: "Billing" } };
      },
    });
    renderApp("/status-pages", { session: makeSession("admin") });
    const user = userEvent.setup();

    const table = await screen.findByRole("table", { name: "Status pages" });
    const row = (await within(table).findByText("Shop")).closest("tr")!;
    expect(within(row).getByRole("link", { name: "/status/shop" })).toHaveAttribute(
      "href",
      "/status/shop",
    );
    expect(within(row).getByText("Public")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "New status page" }));
    const dialog = await screen.findByRole("dialog", { name: "New status page" });
    await user.type(within(dialog).getByLabelText("Title"), "Billing");
    await user.type(within(dialog).getByLabelText("Address"), "billing");
    await user.type(within(dialog).getByRole("combobox", { name: "Tags" }), "billing{Enter}");
    await user.click(within(dialog).getByRole("button", { name: "Create page" }));

    expect(await screen.findByText("Created Billing.")).toBeInTheDocument();
    expect(created).toEqual({
      slug: "billing",
      title: "Billing",
      description: "",
      scope: { environmentIds: [], tags: ["billing"] },
      public: false,
      enabled: true,
    });
  });

  it("refuses an address that is not a slug before sending it", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/status-pages": {
        status: 200,
        body: { statusPages: [], pagination: { page: 1, limit: 20, total: 0, totalPages: 0 } },
      },
    });
    renderApp("/status-pages", { session: makeSession("admin") });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New status page" }));
    const dialog = await screen.findByRole("dialog", { name: "New status page" });
    await user.type(within(dialog).getByLabelText("Title"), "Shop");
    await user.type(within(dialog).getByLabelText("Address"), "Shop Page");
    await user.click(within(dialog).getByRole("button", { name: "Create page" }));

    expect(await within(dialog).findByText(/^Lower-case letters/)).toBeInTheDocument();
    expect(within(dialog).getByText("Choose at least one tag or environment")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).not.toContain("POST /api/v1/status-pages");
  });

  it("is for admins only", async () => {
    stubApi({});
    renderApp("/status-pages", { session: makeSession("viewer") });

    expect(
      await screen.findByRole("heading", { name: "You don't have access" }),
    ).toBeInTheDocument();
  });
});
