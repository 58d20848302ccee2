import { act, screen, waitFor, within } from "@testing-library/react";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { environmentList, makeEnvironment, makeSession } from "../../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const MINUTE = 60_000;
// The first render loads the page's chunk (with the charts): slow on a busy machine.
const FIRST_RENDER = { timeout: 10_000 };
const now = Date.now();
const bucket = (ago: number) =>
  new Date(Math.floor((now - ago) / 120_000) * 120_000).toISOString();

const ALPHA = makeEnvironment("alpha", {
  status: {
    health: "unhealthy",
    lastCheck: new Date(now - 10_000).toISOString(),
    message: "Timed out after 5 s",
    responseTime: 250,
    consecutiveFailures: 3,
    since: new Date(now - 5 * MINUTE - 5_000).toISOString(),
  },
  systemInfo: { appVersion: "2.3.0", osVersion: "", kernel: "", versionUnverified: false },
});
const BETA = makeEnvironment("beta", {
  status: {
    health: "healthy",
    lastCheck: new Date(now - 10_000).toISOString(),
    message: "",
    responseTime: 40,
    consecutiveFailures: 0,
    since: new Date(now - 2 * 3_600_000 - MINUTE).toISOString(),
  },
});
const SUMMARY = {
  status: 200,
  body: { total: 2, byHealth: { healthy: 1, unhealthy: 1, unknown: 0 }, byTag: { web: 2 } },
};
const SPARKLINES = {
  status: 200,
  body: {
    sparklines: {
      [ALPHA.id]: [6, 4, 2].map((m) => ({
        timestamp: bucket(m * MINUTE),
        checks: 12,
        healthyChecks: 10,
        responseTimeAvg: 100 + m,
        responseTimeMax: 300,
      })),
      [BETA.id]: [],
    },
  },
};

async function connected(): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  const socket = FakeWebSocket.latest();
  act(() => socket.accept());
  return socket;
}

describe("Health on the dashboard's cards", () => {
  it("shows health, for how long, response time, version and one sparkline request", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([ALPHA, BETA]),
      "GET /api/v1/environments/summary": SUMMARY,
      "GET /api/v1/sparklines": SPARKLINES,
    });
    renderApp("/environments", { session: makeSession("viewer") });

    const alpha = await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    expect(within(alpha).getByText("Unhealthy for 5 m")).toBeInTheDocument();
    expect(within(alpha).getByText("250 ms")).toBeInTheDocument();
    expect(within(alpha).getByText("Version: 2.3.0")).toBeInTheDocument();
    const beta = screen.getByRole("article", { name: "beta" });
    expect(within(beta).getByText("Healthy for 2 h")).toBeInTheDocument();
    await waitFor(() =>
      expect(
        within(alpha).getByRole("img", { name: "Response times of alpha over the last hour" }),
      ).toHaveAttribute("data-points", "3"),
      FIRST_RENDER,
    );

    // One request for the page's cards, not one per card.
    const sparklineUrls = fetchMock.mock.calls
      .map(([request]) => new URL(request.url))
      .filter((url) => url.pathname === "/api/v1/sparklines");
    expect(sparklineUrls).toHaveLength(1);
    expect(sparklineUrls[0]!.searchParams.get("ids")).toBe(`${ALPHA.id},${BETA.id}`);
  });

  it("watches the cards on screen and extends their sparklines with live checks", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([ALPHA, BETA]),
      "GET /api/v1/environments/summary": SUMMARY,
      "GET /api/v1/sparklines": SPARKLINES,
    });
    renderApp("/environments", { session: makeSession("viewer") });
    const socket = await connected();
    const beta = await screen.findByRole("article", { name: "beta" }, FIRST_RENDER);
    await waitFor(() =>
      expect(socket.frames("subscribe").map((frame) => frame.payload)).toContainEqual({
        environments: [ALPHA.id, BETA.id],
      }),
    );
    const line = await within(beta).findByRole(
      "img",
      { name: /Response times of beta/ },
      FIRST_RENDER,
    );
    expect(line).toHaveAttribute("data-points", "0");

    // Two checks of beta, minutes apart, then a transition of alpha.
    for (const ago of [4 * MINUTE, 0]) {
      act(() =>
        socket.receive({
          type: "status_update",
          payload: {
            environmentId: BETA.id,
            status: { ...BETA.status, lastCheck: new Date(now - ago).toISOString() },
            previous: "healthy",
            transition: false,
          },
        }),
      );
    }
    await waitFor(() => expect(line).toHaveAttribute("data-points", "2"));

    act(() =>
      socket.receive({
        type: "status_update",
        payload: {
          environmentId: ALPHA.id,
          status: { ...ALPHA.status, health: "healthy", since: new Date(now).toISOString() },
          previous: "unhealthy",
          transition: true,
        },
      }),
    );
    const alpha = screen.getByRole("article", { name: "alpha" });
    expect(await within(alpha).findByText(/^Healthy for \d+ s$/)).toBeInTheDocument();
    // Only the sparklines' own refresh asks the server again, not each check.
    expect(requestsTo(fetchMock).filter((r) => r === "GET /api/v1/sparklines")).toHaveLength(1);
  });
});
