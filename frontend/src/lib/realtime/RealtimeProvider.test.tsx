import { act, screen, waitFor, within } from "@testing-library/react";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { environmentList, makeEnvironment, makeSession } from "../../test/fixtures";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";
import { getSession } from "../session";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ADMIN = makeSession("admin");
const ALPHA = makeEnvironment("alpha");
const GAMMA = makeEnvironment("gamma", { description: "Made elsewhere" });
const SUMMARY = {
  status: 200,
  body: { total: 2, byHealth: { healthy: 2, unhealthy: 0, unknown: 0 }, byTag: { web: 2 } },
};
// A reconnect waits 0.5-1 s (the first backoff step); give it room.
const RECONNECT = { timeout: 4_000 };

/** The live connection the app opened, accepted by the "server". */
async function connected(): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  const socket = FakeWebSocket.latest();
  act(() => socket.accept());
  return socket;
}

/** Everything a socket asked to subscribe to, frame by frame. */
function subscriptions(socket: FakeWebSocket): unknown[] {
  return socket.frames("subscribe").map((frame) => frame.payload);
}

function listRequests(fetchMock: ReturnType<typeof stubApi>): number {
  return requestsTo(fetchMock).filter((r) => r === "GET /api/v1/environments").length;
}

describe("The live connection", () => {
  it("opens one socket to /ws, authenticates with the session's token, and is live", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([ALPHA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: ADMIN });
    expect(
      await screen.findByRole("button", { name: "Live updates: connecting" }),
    ).toBeInTheDocument();

    const socket = await connected();
    expect(socket.url).toBe(`ws://${window.location.host}/ws`);
    expect(socket.frames()[0]).toEqual({ type: "auth", payload: { token: ADMIN.token } });
    expect(screen.getByRole("button", { name: "Live updates: connected" })).toBeInTheDocument();
    // The notifications bell wants every log frame.
    expect(subscriptions(socket)).toContainEqual(expect.objectContaining({ logs: true }));
    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it("signs out when the server refuses the token (4001)", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([ALPHA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    const { router } = renderApp("/environments", { session: ADMIN });
    const socket = await connected();

    act(() => socket.serverClose(4001, "token revoked"));

    expect(await screen.findByText("Your session ended: sign in again")).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(getSession()).toBeNull();
  });

  it("reconnects after a loss and refetches what it may have missed", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/environments": environmentList([ALPHA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: ADMIN });
    await screen.findByRole("article", { name: "alpha" });
    const first = await connected();
    const before = listRequests(fetchMock);

    act(() => first.serverClose(1006));
    expect(
      await screen.findByRole("button", { name: "Live updates: reconnecting" }),
    ).toBeInTheDocument();
    await waitFor(() => expect(FakeWebSocket.instances).toHaveLength(2), RECONNECT);
    expect(listRequests(fetchMock)).toBe(before);

    const second = FakeWebSocket.latest();
    act(() => second.accept());
    await waitFor(() => expect(listRequests(fetchMock)).toBe(before + 1));
    expect(screen.getByRole("button", { name: "Live updates: connected" })).toBeInTheDocument();
    // The new connection asks again for what the page wants.
    expect(subscriptions(second)).toContainEqual(expect.objectContaining({ logs: true }));
  });
});

describe("The live dashboard", () => {
  it("shows an environment created elsewhere without a reload", async () => {
    let created = false;
    stubApi({
      "GET /api/v1/environments": () => environmentList(created ? [ALPHA, GAMMA] : [ALPHA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: ADMIN });
    await screen.findByRole("article", { name: "alpha" });
    const socket = await connected();

    created = true;
    act(() =>
      socket.receive({
        type: "environment_update",
        payload: { action: "created", environment: GAMMA },
      }),
    );

    const gamma = await screen.findByRole("article", { name: "gamma" });
    expect(within(gamma).getByText("Made elsewhere")).toBeInTheDocument();
  });

  it("updates an environment's health and the counts from a status update", async () => {
    stubApi({
      "GET /api/v1/environments": environmentList([ALPHA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: ADMIN });
    const alpha = await screen.findByRole("article", { name: "alpha" });
    expect(within(alpha).getByText("Healthy")).toBeInTheDocument();
    const socket = await connected();

    act(() =>
      socket.receive({
        type: "status_update",
        payload: {
          environmentId: ALPHA.id,
          status: { health: "unhealthy", lastCheck: "2025-03-02T10:00:00Z", message: "timeout" },
          previous: "healthy",
        },
      }),
    );

    expect(await within(alpha).findByText("Unhealthy")).toBeInTheDocument();
    const counts = screen.getByRole("list", { name: "Environment counts" });
    expect(within(counts).getByRole("listitem", { name: "Unhealthy" })).toHaveTextContent("1");
  });

  it("takes a deleted environment off the page", async () => {
    let deleted = false;
    stubApi({
      "GET /api/v1/environments": () => environmentList(deleted ? [GAMMA] : [ALPHA, GAMMA]),
      "GET /api/v1/environments/summary": SUMMARY,
    });
    renderApp("/environments", { session: ADMIN });
    await screen.findByRole("article", { name: "alpha" });
    const socket = await connected();

    deleted = true;
    act(() =>
      socket.receive({
        type: "environment_update",
        payload: { action: "deleted", environment: ALPHA },
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole("article", { name: "alpha" })).not.toBeInTheDocument(),
    );
    expect(screen.getByRole("article", { name: "gamma" })).toBeInTheDocument();
  });
});

describe("The live details page", () => {
  const DELTA = makeEnvironment("delta", { id: "64b7f0c2a1d3e4f5a6b7c8d0" });

  it("subscribes to its environment and shows its changes as they come", async () => {
    stubApi({ [`GET /api/v1/environments/${DELTA.id}`]: { status: 200, body: DELTA } });
    renderApp(`/environments/${DELTA.id}`, { session: makeSession("viewer") });
    expect(await screen.findByRole("heading", { level: 1, name: "delta" })).toBeInTheDocument();
    const socket = await connected();
    expect(subscriptions(socket)).toContainEqual(
      expect.objectContaining({ environments: [DELTA.id] }),
    );

    act(() =>
      socket.receive({
        type: "environment_update",
        payload: {
          action: "updated",
          environment: { ...DELTA, description: "Moved to the new rack" },
        },
      }),
    );
    const overview = screen.getByRole("region", { name: "Overview" });
    expect(await within(overview).findByText("Moved to the new rack")).toBeInTheDocument();

    act(() =>
      socket.receive({
        type: "status_update",
        payload: {
          environmentId: DELTA.id,
          status: { health: "unhealthy", message: "connection refused" },
          previous: "healthy",
        },
      }),
    );
    expect(await screen.findByText("connection refused")).toBeInTheDocument();
  });
});
