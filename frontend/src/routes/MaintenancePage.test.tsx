import { configure, fireEvent, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import {
  activeMaintenance,
  apiError,
  makeEnvironment,
  makeMaintenanceWindow,
  makeSession,
  maintenanceWindowList,
} from "../test/fixtures";
import { type Answer, renderApp, requestsTo, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

// A page's first render loads its code, which takes a while on a busy machine.
configure({ asyncUtilTimeout: 5_000 });

const ADMIN = makeSession("admin");
const VIEWER = makeSession("viewer");
const SHOP = makeEnvironment("shop-prod");

const NIGHTLY = makeMaintenanceWindow("nightly restart", {
  scope: { environmentIds: [SHOP.id], tags: ["prod"] },
});
const DB_UPGRADE = makeMaintenanceWindow("db upgrade", {
  kind: "one-off",
  cron: null,
  durationMinutes: null,
  timezone: "UTC",
  start: "2099-05-01T22:00:00Z",
  end: "2099-05-02T02:00:00Z",
  reason: "PostgreSQL 17",
  scope: { environmentIds: [], tags: ["db"] },
  enabled: false,
});

const HOUR = 3600_000;
const iso = (offset: number) => new Date(Date.now() + offset).toISOString();

/** The answers a page of these two windows needs; NIGHTLY runs now. */
function windowAnswers(extra: Record<string, Answer | ((r: Request) => Promise<Answer>)> = {}) {
  return {
    "GET /api/v1/maintenance-windows": maintenanceWindowList([DB_UPGRADE, NIGHTLY]),
    [`GET /api/v1/maintenance-windows/${NIGHTLY.id}/preview`]: {
      status: 200,
      body: { occurrences: [{ start: iso(-HOUR / 2), end: iso(HOUR / 2) }] },
    },
    [`GET /api/v1/environments/${SHOP.id}`]: { status: 200, body: SHOP },
    "GET /api/v1/maintenance-windows/active": activeMaintenance(),
    "GET /api/v1/environments/summary": {
      status: 200,
      body: { total: 1, byHealth: { healthy: 1, unhealthy: 0, unknown: 0 }, byTag: { prod: 1 } },
    },
    "GET /api/v1/environments": {
      status: 200,
      body: { environments: [SHOP], pagination: { page: 1, limit: 20, total: 1, totalPages: 1 } },
    },
    ...extra,
  };
}

const PREVIEW_RUNS = {
  status: 200,
  body: {
    occurrences: [
      { start: "2099-03-01T01:30:00Z", end: "2099-03-01T02:30:00Z" },
      { start: "2099-03-02T01:30:00Z", end: "2099-03-02T02:30:00Z" },
    ],
  },
};

// Typing into the dialog re-renders its live preview: slower than most forms.
describe("Maintenance page", { timeout: 20_000 }, () => {
  it("shows viewers every window, readably, without ways to change them", async () => {
    stubApi(windowAnswers());
    renderApp("/maintenance", { session: VIEWER });

    const table = await screen.findByRole("table", { name: "Maintenance windows" });
    const nightly = (await within(table).findByText("nightly restart")).closest("tr")!;
    expect(within(nightly).getByText("Recurring")).toBeInTheDocument();
    expect(within(nightly).getByText("At 02:30, for 1 h")).toBeInTheDocument();
    expect(within(nightly).getByText("Europe/Berlin")).toBeInTheDocument();
    expect(await within(nightly).findByText("shop-prod")).toBeInTheDocument();
    expect(within(nightly).getByText("tag: prod")).toBeInTheDocument();
    expect(await within(nightly).findByText(/^Running until/)).toBeInTheDocument();
    expect(within(nightly).getByText("Yes")).toBeInTheDocument();

    const upgrade = within(table).getByText("db upgrade").closest("tr")!;
    expect(within(upgrade).getByText("One-off")).toBeInTheDocument();
    expect(within(upgrade).getByText(/^Once, /)).toBeInTheDocument();
    expect(within(upgrade).getByText("PostgreSQL 17")).toBeInTheDocument();
    expect(within(upgrade).getByText("Disabled")).toBeInTheDocument();
    expect(within(upgrade).getByText("No")).toBeInTheDocument();

    expect(screen.queryByRole("button", { name: "New window" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /^Edit/ })).not.toBeInTheDocument();
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Maintenance" })).toHaveAttribute(
      "href",
      "/maintenance",
    );
  });

  it("plans a recurring window with a preview of its next runs", async () => {
    let created: unknown = null;
    const previews: unknown[] = [];
    stubApi(
      windowAnswers({
        "POST /api/v1/maintenance-windows/preview": async (request) => {
          previews.push(await request.json());
          return PREVIEW_RUNS;
        },
        "POST /api/v1/maintenance-windows": async (request) => {
          created = await request.json();
          return { status: 201, body: makeMaintenanceWindow("weekly") };
        },
      }),
    );
    renderApp("/maintenance", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New window" }));
    const dialog = await screen.findByRole("dialog", { name: "New maintenance window" });
    await user.type(within(dialog).getByLabelText("Name"), "weekly");
    await user.type(within(dialog).getByLabelText("Reason"), "OS patches");
    await user.type(within(dialog).getByLabelText("Cron expression"), "30 2 * * 0");
    await user.type(within(dialog).getByRole("combobox", { name: "Tags" }), "prod{Enter}");

    const runs = within(dialog).getByRole("region", { name: "Next runs" });
    expect(await within(runs).findAllByRole("listitem")).toHaveLength(2);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(within(dialog).getByRole("combobox", { name: "Time zone" })).toHaveValue(zone);
    expect(previews.at(-1)).toEqual({
      kind: "recurring",
      cron: "30 2 * * 0",
      durationMinutes: 60,
      timezone: zone,
    });

    await user.click(within(dialog).getByRole("button", { name: "Create window" }));

    expect(await screen.findByText("Created weekly.")).toBeInTheDocument();
    expect(created).toEqual({
      kind: "recurring",
      cron: "30 2 * * 0",
      durationMinutes: 60,
      timezone: zone,
      name: "weekly",
      reason: "OS patches",
      scope: { environmentIds: [], tags: ["prod"] },
      enabled: true,
    });
  });

  it("shows the preview's validation errors next to the field", async () => {
    stubApi(
      windowAnswers({
        "POST /api/v1/maintenance-windows/preview": apiError(
          422,
          "VALIDATION_ERROR",
          "invalid request",
          {
            fields: [
              {
                field: "cron",
                in: "body",
                message: "Value error, invalid cron expression '61 * * * *': five fields expected",
              },
            ],
          },
        ),
      }),
    );
    renderApp("/maintenance", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New window" }));
    const dialog = await screen.findByRole("dialog", { name: "New maintenance window" });
    await user.type(within(dialog).getByLabelText("Cron expression"), "61 * * * *");

    expect(
      await within(dialog).findByText("Invalid cron expression '61 * * * *': five fields expected"),
    ).toBeInTheDocument();
    expect(within(dialog).getByLabelText("Cron expression")).toHaveAttribute(
      "aria-invalid",
      "true",
    );
  });

  it("plans a one-off window in local time, sent as UTC", async () => {
    let created: Record<string, unknown> | null = null;
    stubApi(
      windowAnswers({
        "POST /api/v1/maintenance-windows/preview": PREVIEW_RUNS,
        "POST /api/v1/maintenance-windows": async (request) => {
          created = (await request.json()) as Record<string, unknown>;
          return { status: 201, body: DB_UPGRADE };
        },
      }),
    );
    renderApp("/maintenance", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New window" }));
    const dialog = await screen.findByRole("dialog", { name: "New maintenance window" });
    await user.type(within(dialog).getByLabelText("Name"), "db upgrade");
    await user.click(within(dialog).getByRole("radio", { name: "One-off" }));
    fireEvent.change(within(dialog).getByLabelText("Starts"), {
      target: { value: "2099-05-01T22:00" },
    });
    fireEvent.change(within(dialog).getByLabelText("Ends"), {
      target: { value: "2099-05-02T02:00" },
    });
    await user.click(within(dialog).getByRole("button", { name: "Create window" }));
    // No scope yet: refused before any request.
    expect(
      await within(dialog).findByText("Choose at least one environment or tag"),
    ).toBeInTheDocument();

    await user.type(within(dialog).getByRole("combobox", { name: "Environments" }), "shop");
    await user.click(await screen.findByRole("option", { name: "shop-prod" }));
    await user.click(within(dialog).getByRole("button", { name: "Create window" }));

    expect(await screen.findByText("Created db upgrade.")).toBeInTheDocument();
    expect(created).toMatchObject({
      kind: "one-off",
      start: new Date("2099-05-01T22:00").toISOString(),
      end: new Date("2099-05-02T02:00").toISOString(),
      scope: { environmentIds: [SHOP.id], tags: [] },
    });
    expect(created!.cron).toBeUndefined();
  });

  it("refuses an end before the start without asking the server", async () => {
    const fetchMock = stubApi(windowAnswers());
    renderApp("/maintenance", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "New window" }));
    const dialog = await screen.findByRole("dialog", { name: "New maintenance window" });
    await user.type(within(dialog).getByLabelText("Name"), "backwards");
    await user.click(within(dialog).getByRole("radio", { name: "One-off" }));
    fireEvent.change(within(dialog).getByLabelText("Starts"), {
      target: { value: "2099-05-02T02:00" },
    });
    fireEvent.change(within(dialog).getByLabelText("Ends"), {
      target: { value: "2099-05-01T22:00" },
    });
    await user.click(within(dialog).getByRole("button", { name: "Create window" }));

    expect(await within(dialog).findByText("The end must be after the start")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).not.toContain("POST /api/v1/maintenance-windows");
  });

  it("edits a window in place, keeping its kind and schedule", async () => {
    let replaced: unknown = null;
    stubApi(
      windowAnswers({
        "POST /api/v1/maintenance-windows/preview": PREVIEW_RUNS,
        [`PUT /api/v1/maintenance-windows/${NIGHTLY.id}`]: async (request) => {
          replaced = await request.json();
          return { status: 200, body: { ...NIGHTLY, durationMinutes: 90 } };
        },
      }),
    );
    renderApp("/maintenance", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("button", { name: "Edit nightly restart" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit nightly restart" });
    expect(within(dialog).getByLabelText("Cron expression")).toHaveValue("30 2 * * *");
    expect(within(dialog).getByRole("combobox", { name: "Time zone" })).toHaveValue(
      "Europe/Berlin",
    );
    const duration = within(dialog).getByLabelText("Duration (minutes)");
    await user.clear(duration);
    await user.type(duration, "90");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await screen.findByText("Saved nightly restart.")).toBeInTheDocument();
    expect(replaced).toEqual({
      kind: "recurring",
      cron: "30 2 * * *",
      durationMinutes: 90,
      timezone: "Europe/Berlin",
      name: "nightly restart",
      reason: NIGHTLY.reason,
      scope: NIGHTLY.scope,
      enabled: true,
    });
  });

  it("switches a window off and deletes one after asking", async () => {
    let patch: unknown = null;
    const fetchMock = stubApi(
      windowAnswers({
        [`PATCH /api/v1/maintenance-windows/${NIGHTLY.id}`]: async (request) => {
          patch = await request.json();
          return { status: 200, body: { ...NIGHTLY, enabled: false } };
        },
        [`DELETE /api/v1/maintenance-windows/${DB_UPGRADE.id}`]: { status: 204 },
      }),
    );
    renderApp("/maintenance", { session: ADMIN });
    const user = userEvent.setup();

    await user.click(await screen.findByRole("switch", { name: "nightly restart enabled" }));
    expect(await screen.findByText("Disabled nightly restart.")).toBeInTheDocument();
    expect(patch).toEqual({ enabled: false });

    await user.click(screen.getByRole("button", { name: "Delete db upgrade" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete db upgrade?" });
    await user.click(within(confirm).getByRole("button", { name: "Delete window" }));

    expect(await screen.findByText("Deleted db upgrade.")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).toContain(`DELETE /api/v1/maintenance-windows/${DB_UPGRADE.id}`);
  });
});
