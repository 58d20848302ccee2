import { screen, within } from "@testing-library/react";

import { HEALTH, makeSession, READY } from "../test/fixtures";
import { renderApp, stubApi } from "../test/renderApp";

const NOW = new Date("2026-05-01T22:00:00.000Z");
const SELF = "6650f0c1a2b3c4d5e6f70011";
const STOPPED = "6650f0c1a2b3c4d5e6f70022";
const LOST = "6650f0c1a2b3c4d5e6f70033";

function instance(id: string, overrides: Record<string, unknown>) {
  return {
    id,
    host: "envdeck-1.internal",
    pid: 4242,
    version: "0.1.0",
    backend: "mongodb",
    startedAt: "2026-05-01T21:00:00.000Z",
    lastSeen: "2026-05-01T21:59:57.000Z",
    stoppedAt: null,
    status: "live",
    healthShards: null,
    ...overrides,
  };
}

const INSTANCES = {
  status: 200,
  body: {
    self: SELF,
    cluster: true,
    instances: [
      instance(SELF, { healthShards: 32 }),
      instance(STOPPED, {
        host: "envdeck-2.internal",
        pid: 77,
        version: "0.0.9",
        lastSeen: "2026-05-01T21:55:00.000Z",
        stoppedAt: "2026-05-01T21:55:00.000Z",
        status: "stopped",
      }),
      instance(LOST, {
        pid: 88,
        lastSeen: "2026-05-01T19:00:00.000Z",
        status: "lost",
        healthShards: 0,
      }),
    ],
  },
};

/** The cells of the instances table's row whose Instance cell shows this short id. */
function row(shortId: string): string[] {
  const table = screen.getByRole("table", { name: "Instances" });
  const found = within(table)
    .getAllByRole("row")
    .find((r) => within(r).queryByText(shortId) !== null);
  if (!found) throw new Error(`no row for ${shortId}`);
  return within(found)
    .getAllByRole("cell")
    .map((cell) => cell.textContent ?? "");
}

beforeEach(() => {
  // Only Date: timers stay real, so queries settle as usual.
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("Instances on the System status page", () => {
  it("lists every instance for admins, with this instance marked", async () => {
    const fetchMock = stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "/api/v1/system/instances": INSTANCES,
    });
    renderApp("/system", { session: makeSession("admin") });

    expect(await screen.findByRole("heading", { level: 2, name: "Instances" })).toBeInTheDocument();
    expect(await screen.findByRole("table", { name: "Instances" })).toBeInTheDocument();
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).toEqual([
      "Instance",
      "Host",
      "PID",
      "Version",
      "Started",
      "Last seen",
      "Status",
      "Health shards",
    ]);
    expect(screen.getByText(/Several instances share the work/)).toBeInTheDocument();

    const self = row("e6f70011");
    expect(self[0]).toContain("This instance");
    expect(self.slice(1, 4)).toEqual(["envdeck-1.internal", "4242", "0.1.0"]);
    expect(self[5]).toBe("3 s ago");
    expect(self[6]).toBe("Live");
    expect(self[7]).toBe("32");

    const stopped = row("e6f70022");
    expect(stopped[0]).not.toContain("This instance");
    expect(stopped.slice(1, 4)).toEqual(["envdeck-2.internal", "77", "0.0.9"]);
    expect(stopped[5]).toBe("5 m ago");
    expect(stopped[6]).toBe("Stopped");

    const lost = row("e6f70033");
    expect(lost[5]).toBe("3 h ago");
    expect(lost[6]).toBe("Lost");
    expect(lost[7]).toBe("0");

    const [current, ...others] = screen
      .getAllByRole("row")
      .filter((r) => r.getAttribute("aria-current"));
    expect(others).toHaveLength(0);
    expect(within(current!).getByText("e6f70011")).toHaveAttribute("title", SELF);

    // The existing status card is unchanged.
    expect(screen.getByRole("definition", { name: "Version" })).toHaveTextContent("0.1.0");
    const asked = fetchMock.mock.calls.map(([r]) => new URL(String(r.url)).pathname);
    expect(asked).toContain("/api/v1/system/instances");
  });

  it("says an instance working alone checks everything, without a shards column", async () => {
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "/api/v1/system/instances": {
        status: 200,
        body: { self: SELF, cluster: false, instances: [instance(SELF, { backend: "sqlite" })] },
      },
    });
    renderApp("/system", { session: makeSession("admin") });

    expect(await screen.findByText(/This instance works alone/)).toBeInTheDocument();
    const headers = screen.getAllByRole("columnheader").map((h) => h.textContent);
    expect(headers).not.toContain("Health shards");
    expect(row("e6f70011")).toHaveLength(7);
  });

  it("says so when the instances cannot be listed", async () => {
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": READY,
      "/api/v1/system/instances": {
        status: 503,
        body: { error: { code: "UNAVAILABLE", message: "storage is unreachable", details: {} } },
      },
    });
    renderApp("/system", { session: makeSession("admin") });

    const alert = await screen.findByText(/Cannot list the instances/);
    expect(alert).toHaveTextContent("storage is unreachable");
  });

  it("is not shown to users and viewers, who are not asked for it", async () => {
    for (const role of ["user", "viewer"] as const) {
      const fetchMock = stubApi({
        "/api/v1/health": HEALTH,
        "/api/v1/ready": READY,
        "/api/v1/system/instances": INSTANCES,
      });
      const { unmount } = renderApp("/system", { session: makeSession(role) });

      expect(await screen.findByText("Ready")).toBeInTheDocument();
      expect(screen.queryByRole("heading", { name: "Instances" })).not.toBeInTheDocument();
      const asked = fetchMock.mock.calls.map(([r]) => new URL(String(r.url)).pathname);
      expect(asked).not.toContain("/api/v1/system/instances");
      unmount();
    }
  });
});
