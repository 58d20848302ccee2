import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { apiError, makeEnvironment, makeSession } from "../../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

// The first render loads the page's chunk (with the charts): slow on a busy machine.
const FIRST_RENDER = { timeout: 10_000 };
const ALPHA = makeEnvironment("alpha", {
  status: {
    health: "healthy",
    lastCheck: "2025-03-01T09:30:00Z",
    message: "",
    responseTime: 85,
    consecutiveFailures: 0,
    since: new Date(Date.now() - 2 * 3_600_000).toISOString(),
  },
});
const PATH = `/api/v1/environments/${ALPHA.id}`;
const HISTORY = {
  status: 200,
  body: {
    range: "1h",
    bucketSeconds: 60,
    points: [0, 1, 2].map((i) => ({
      timestamp: `2025-03-01T09:2${i}:00Z`,
      checks: 6,
      healthyChecks: 6,
      responseTimeAvg: 80 + i,
      responseTimeMax: 120 + i,
    })),
  },
};
const UPTIME = {
  status: 200,
  body: {
    windows: [
      { range: "24h", uptime: 99.5, checks: 200, healthyChecks: 199 },
      { range: "7d", uptime: 100, checks: 1000, healthyChecks: 1000 },
      { range: "30d", uptime: 98.25, checks: 4000, healthyChecks: 3930 },
      { range: "90d", uptime: null, checks: 0, healthyChecks: 0 },
    ],
  },
};
const CHECKS = {
  status: 200,
  body: {
    checks: [
      {
        environmentId: ALPHA.id,
        timestamp: "2025-03-01T09:30:00Z",
        health: "unhealthy",
        responseTime: 5000,
        statusCode: null,
        message: "Timed out after 5 s",
      },
      {
        environmentId: ALPHA.id,
        timestamp: "2025-03-01T09:29:50Z",
        health: "healthy",
        responseTime: 81,
        statusCode: 200,
        message: "",
      },
    ],
  },
};
const ANSWERS = {
  [`GET ${PATH}`]: { status: 200, body: ALPHA },
  [`GET ${PATH}/health/history`]: HISTORY,
  [`GET ${PATH}/uptime`]: UPTIME,
  [`GET ${PATH}/health/checks`]: CHECKS,
};

describe("Health tab", () => {
  it("shows the response-time chart, uptime per window and the recent checks", async () => {
    stubApi(ANSWERS);
    renderApp(`/environments/${ALPHA.id}?tab=health`, { session: makeSession("viewer") });

    expect(
      await screen.findByRole("tab", { name: "Health", selected: true }, FIRST_RENDER),
    ).toBeInTheDocument();
    const chart = await screen.findByRole("figure", { name: "Response time" }, FIRST_RENDER);
    expect(chart).toHaveAttribute("data-points", "3");
    const uptime = await screen.findByRole("region", { name: "Uptime" });
    expect(uptime).toHaveTextContent("Uptime, 24 hours99.50 %199 of 200 checks healthy");
    expect(uptime).toHaveTextContent("Uptime, 90 days—No checks");
    const rows = within(await screen.findByRole("table", { name: "Recent checks" })).getAllByRole(
      "row",
    );
    expect(rows[1]).toHaveTextContent(/unhealthy\s*5\.0 s\s*—\s*Timed out after 5 s/);
    expect(screen.getByText("Healthy for 2 h")).toBeInTheDocument();
    // Checking is for users and admins.
    expect(screen.queryByRole("button", { name: "Check now" })).not.toBeInTheDocument();
  });

  it("asks for another range", async () => {
    const fetchMock = stubApi(ANSWERS);
    const user = userEvent.setup();
    renderApp(`/environments/${ALPHA.id}?tab=health`, { session: makeSession("viewer") });
    await screen.findByRole("figure", { name: "Response time" }, FIRST_RENDER);

    await user.click(screen.getByRole("button", { name: "7d" }));
    await waitFor(() => {
      const ranges = fetchMock.mock.calls
        .map(([request]) => new URL(request.url))
        .filter((url) => url.pathname === `${PATH}/health/history`)
        .map((url) => url.searchParams.get("range"));
      expect(ranges).toEqual(["1h", "7d"]);
    });
  });

  it("runs a check now and shows what it found", async () => {
    const fetchMock = stubApi({
      ...ANSWERS,
      [`POST ${PATH}/check-health`]: {
        status: 200,
        body: {
          health: "unhealthy",
          message: "Expected $.status to equal \"ok\", got \"down\"",
          responseTime: 42,
          checkedAt: "2025-03-01T09:31:00Z",
          details: { statusCode: 503, version: "2.3.0", response: '{"status": "down"}' },
        },
      },
    });
    const user = userEvent.setup();
    renderApp(`/environments/${ALPHA.id}?tab=health`, { session: makeSession("user") });

    await user.click(await screen.findByRole("button", { name: "Check now" }, FIRST_RENDER));
    const result = await screen.findByRole("alert", { name: "Check result" });
    expect(result).toHaveTextContent("Unhealthy");
    expect(result).toHaveTextContent('Expected $.status to equal "ok", got "down"');
    expect(result).toHaveTextContent("Response time: 42 ms · Status code: 503 · Version: 2.3.0");
    expect(within(result).getByLabelText("Response body")).toHaveTextContent('{"status": "down"}');
    // The new sample shows in the table and the charts.
    await waitFor(() =>
      expect(requestsTo(fetchMock).filter((r) => r === `GET ${PATH}/health/checks`)).toHaveLength(
        2,
      ),
    );
  });

  it("tells why a check could not be run", async () => {
    stubApi({
      ...ANSWERS,
      [`POST ${PATH}/check-health`]: apiError(403, "FORBIDDEN", "this environment is protected"),
    });
    const user = userEvent.setup();
    renderApp(`/environments/${ALPHA.id}?tab=health`, { session: makeSession("user") });
    await user.click(await screen.findByRole("button", { name: "Check now" }, FIRST_RENDER));
    expect(await screen.findByText("This environment is protected")).toBeInTheDocument();
  });

  it("refreshes when a status update about the environment arrives", async () => {
    const fetchMock = stubApi(ANSWERS);
    renderApp(`/environments/${ALPHA.id}?tab=health`, { session: makeSession("viewer") });
    await screen.findByRole("table", { name: "Recent checks" }, FIRST_RENDER);
    await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
    const socket = FakeWebSocket.latest();
    act(() => socket.accept());

    act(() =>
      socket.receive({
        type: "status_update",
        payload: {
          environmentId: ALPHA.id,
          status: { ...ALPHA.status, lastCheck: "2025-03-01T09:30:10Z", responseTime: 90 },
          previous: "healthy",
          transition: false,
        },
      }),
    );
    await waitFor(
      () =>
        expect(
          requestsTo(fetchMock).filter((r) => r === `GET ${PATH}/health/checks`),
        ).toHaveLength(2),
      { timeout: 4_000 },
    );
  });
});
