import { configure, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { formatDateTime } from "../../lib/formatDate";
import {
  activeMaintenance,
  environmentList,
  makeEnvironment,
  makeSession,
  NO_ENVIRONMENTS,
} from "../../test/fixtures";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

// A page's first render loads its code, which takes a while on a busy machine.
configure({ asyncUtilTimeout: 5_000 });

const VIEWER = makeSession("viewer");
const SHOP = makeEnvironment("shop-prod", { tags: ["web", "prod"] });
const BILLING = makeEnvironment("billing", { tags: ["web"] });
const SEARCH = makeEnvironment("search", { tags: [] });

const RUNNING = activeMaintenance([
  {
    name: "nightly restart",
    reason: "OS patches",
    scope: { environmentIds: [], tags: ["prod"] },
    end: "2025-03-01T02:30:00Z",
  },
  {
    name: "reindex",
    scope: { environmentIds: [SEARCH.id], tags: [] },
  },
]);

describe("Maintenance badge", () => {
  it("marks the cards a running window covers, by tag or by id, and no other", async () => {
    stubApi({
      ...NO_ENVIRONMENTS,
      "GET /api/v1/environments": environmentList([SHOP, BILLING, SEARCH]),
      "GET /api/v1/maintenance-windows/active": RUNNING,
    });
    renderApp("/environments", { session: VIEWER });
    const user = userEvent.setup();

    const shop = await screen.findByRole("article", { name: "shop-prod" });
    const chip = await within(shop).findByText("Maintenance");
    const search = screen.getByRole("article", { name: "search" });
    expect(await within(search).findByText("Maintenance")).toBeInTheDocument();
    expect(
      within(screen.getByRole("article", { name: "billing" })).queryByText("Maintenance"),
    ).not.toBeInTheDocument();

    await user.hover(chip);
    const tooltip = await screen.findByRole("tooltip");
    expect(tooltip).toHaveTextContent("nightly restart: OS patches");
    expect(tooltip).toHaveTextContent(`Until ${formatDateTime("2025-03-01T02:30:00Z")}`);
  });

  it("shows no badge when the running windows cannot be read", async () => {
    stubApi({
      ...NO_ENVIRONMENTS,
      "GET /api/v1/environments": environmentList([SHOP]),
      "GET /api/v1/maintenance-windows/active": { status: 500, body: {} },
    });
    renderApp("/environments", { session: VIEWER });

    const shop = await screen.findByRole("article", { name: "shop-prod" });
    expect(within(shop).getByText("Healthy")).toBeInTheDocument();
    expect(within(shop).queryByText("Maintenance")).not.toBeInTheDocument();
  });

  it("is in the details page's header", async () => {
    stubApi({
      [`GET /api/v1/environments/${SHOP.id}`]: { status: 200, body: SHOP },
      "GET /api/v1/maintenance-windows/active": RUNNING,
    });
    renderApp(`/environments/${SHOP.id}`, { session: VIEWER });

    await screen.findByRole("heading", { name: "shop-prod", level: 1 });
    expect(
      await screen.findByLabelText(/^Maintenance: nightly restart \(OS patches\) until/),
    ).toBeInTheDocument();
  });
});
