import { FakeWebSocket } from "../../test/fakeWebSocket";
import { backoffDelay } from "./backoff";
import { RealtimeConnection } from "./RealtimeConnection";

const URL = "ws://envdeck.test/ws";
const TOKEN = "token-1";

interface Built {
  connection: RealtimeConnection;
  onAuthFailed: ReturnType<typeof vi.fn>;
  onResync: ReturnType<typeof vi.fn>;
  statuses: string[];
}

const built: RealtimeConnection[] = [];

/** A connection whose jitter is `random` (0: the shortest delay, 1: the longest). */
function build(random = 0): Built {
  const onAuthFailed = vi.fn();
  const onResync = vi.fn();
  const connection = new RealtimeConnection({
    url: URL,
    onAuthFailed,
    random: () => random,
    createSocket: (url) => new FakeWebSocket(url) as unknown as WebSocket,
  });
  built.push(connection);
  connection.onResync(onResync);
  const statuses: string[] = [];
  connection.subscribeState(() => statuses.push(connection.getState().status));
  return { connection, onAuthFailed, onResync, statuses };
}

/** How many sockets were opened so far. */
function opened(): number {
  return FakeWebSocket.instances.length;
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  // Stopped, they no longer listen to the window's online and offline events.
  for (const connection of built.splice(0)) connection.stop();
  vi.useRealTimers();
});

describe("backoffDelay", () => {
  it("doubles its ceiling each attempt, up to the maximum, jittered in its upper half", () => {
    const policy = { baseMs: 1_000, maxMs: 30_000 };
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, () => 1))).toEqual([
      1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000,
    ]);
    expect([0, 1, 2, 5].map((n) => backoffDelay(n, policy, () => 0))).toEqual([
      500, 1_000, 2_000, 15_000,
    ]);
    expect(backoffDelay(2, policy, () => 0.5)).toBe(3_000);
  });
});

describe("RealtimeConnection", () => {
  it("authenticates with its first frame and is connected once the server is ready", () => {
    const { connection, statuses } = build();
    connection.start(TOKEN);
    const socket = FakeWebSocket.latest();
    expect(socket.url).toBe(URL);
    expect(connection.getState().status).toBe("connecting");

    socket.open();
    expect(socket.frames()).toEqual([{ type: "auth", payload: { token: TOKEN } }]);
    socket.receive({ type: "ready", payload: { connectionId: "c1" } });
    expect(connection.getState()).toEqual({ status: "connected", failures: 0 });
    expect(statuses).toEqual(["connected"]);
  });

  it("hands each frame to the listeners of its type", () => {
    const { connection } = build();
    const updates = vi.fn();
    const every = vi.fn();
    connection.on("status_update", updates);
    connection.on("*", every);
    connection.start(TOKEN);
    const socket = FakeWebSocket.latest();
    socket.accept();

    socket.receive({ type: "status_update", payload: { environmentId: "e1" } });
    socket.receive({ type: "log", payload: { entry: {} } });
    socket.onmessage?.(new MessageEvent("message", { data: "not json" }));

    expect(updates).toHaveBeenCalledTimes(1);
    expect(updates).toHaveBeenCalledWith({
      type: "status_update",
      payload: { environmentId: "e1" },
    });
    expect(every.mock.calls.map(([message]) => message.type)).toEqual(["status_update", "log"]);
  });

  it("reconnects with exponential backoff and jitter, then reads offline", () => {
    const { connection, statuses } = build(0);
    connection.start(TOKEN);
    FakeWebSocket.latest().accept();

    FakeWebSocket.latest().serverClose(1006);
    expect(connection.getState()).toEqual({ status: "reconnecting", failures: 1 });
    // The first retry waits half of 1 s at the least jitter, not a moment less.
    vi.advanceTimersByTime(499);
    expect(opened()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(opened()).toBe(2);

    FakeWebSocket.latest().serverClose(1006);
    expect(connection.getState()).toEqual({ status: "reconnecting", failures: 2 });
    vi.advanceTimersByTime(999);
    expect(opened()).toBe(2);
    vi.advanceTimersByTime(1);
    expect(opened()).toBe(3);

    FakeWebSocket.latest().serverClose(1006);
    // Three failures in a row: offline, still retrying (now after 2 s).
    expect(connection.getState()).toEqual({ status: "offline", failures: 3 });
    vi.advanceTimersByTime(2_000);
    expect(opened()).toBe(4);

    FakeWebSocket.latest().accept();
    expect(connection.getState()).toEqual({ status: "connected", failures: 0 });
    expect(statuses).toEqual([
      "connected",
      "reconnecting",
      "reconnecting",
      "offline",
      "connected",
    ]);
  });

  it("spreads the retries of many clients by the jitter", () => {
    const { connection } = build(1);
    connection.start(TOKEN);
    FakeWebSocket.latest().accept();
    FakeWebSocket.latest().serverClose(1001);
    // At the most jitter the first retry waits the whole second.
    vi.advanceTimersByTime(999);
    expect(opened()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(opened()).toBe(2);
  });

  it("tells its resync listeners to refetch after a reconnect, not after the first connect", () => {
    const { connection, onResync } = build();
    connection.start(TOKEN);
    FakeWebSocket.latest().accept();
    expect(onResync).not.toHaveBeenCalled();

    FakeWebSocket.latest().serverClose(1001, "server shutting down");
    vi.advanceTimersByTime(1_000);
    expect(onResync).not.toHaveBeenCalled();
    FakeWebSocket.latest().accept();
    expect(onResync).toHaveBeenCalledTimes(1);
  });

  it("reconnects and resyncs a client closed for being too slow (4008)", () => {
    const { connection, onResync } = build();
    connection.start(TOKEN);
    FakeWebSocket.latest().accept();

    FakeWebSocket.latest().serverClose(4008, "too slow");
    expect(connection.getState().status).toBe("reconnecting");
    vi.advanceTimersByTime(1_000);
    expect(opened()).toBe(2);
    FakeWebSocket.latest().accept();
    expect(onResync).toHaveBeenCalledTimes(1);
  });

  it("ends the session on 4001 and does not reconnect", () => {
    const { connection, onAuthFailed } = build();
    connection.start(TOKEN);
    FakeWebSocket.latest().accept();

    FakeWebSocket.latest().serverClose(4001, "token revoked");
    expect(onAuthFailed).toHaveBeenCalledWith(TOKEN);
    vi.advanceTimersByTime(120_000);
    expect(opened()).toBe(1);
  });

  it("waits longer after being closed for flooding (4429)", () => {
    const { connection } = build(0);
    connection.start(TOKEN);
    FakeWebSocket.latest().accept();
    FakeWebSocket.latest().serverClose(4429);
    // As if three attempts had failed already: 4 s at the least jitter.
    vi.advanceTimersByTime(3_999);
    expect(opened()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(opened()).toBe(2);
  });

  it("gives up on a server that does not answer its ping, and reconnects", () => {
    const { connection } = build();
    connection.start(TOKEN);
    const first = FakeWebSocket.latest();
    first.accept();

    vi.advanceTimersByTime(25_000);
    expect(first.frames("ping")).toHaveLength(1);
    first.receive({ type: "pong", payload: {} });
    vi.advanceTimersByTime(25_000);
    expect(first.frames("ping")).toHaveLength(2);
    // No pong this time.
    vi.advanceTimersByTime(10_000);
    expect(first.closedWith).toBe(4000);
    expect(connection.getState().status).toBe("reconnecting");
    vi.advanceTimersByTime(1_000);
    expect(opened()).toBe(2);
  });

  it("gives up on a server that never says ready", () => {
    const { connection } = build();
    connection.start(TOKEN);
    FakeWebSocket.latest().open();
    vi.advanceTimersByTime(10_000);
    expect(connection.getState().status).toBe("reconnecting");
  });

  it("sends the subscriptions once ready, counts them, and sends them again on reconnect", () => {
    const { connection } = build();
    const first = connection.subscribe({ environments: ["e1"] });
    connection.start(TOKEN);
    let socket = FakeWebSocket.latest();
    socket.open();
    expect(socket.frames("subscribe")).toEqual([]);
    socket.receive({ type: "ready", payload: {} });
    expect(socket.frames("subscribe")).toEqual([
      { type: "subscribe", payload: { environments: ["e1"] } },
    ]);

    // A second view of the same environment asks for nothing new.
    const second = connection.subscribe({ environments: ["e1"] });
    const logs = connection.subscribe({ logs: true });
    expect(socket.frames("subscribe").slice(1)).toEqual([
      { type: "subscribe", payload: { logs: true } },
    ]);
    first();
    expect(socket.frames("unsubscribe")).toEqual([]);
    second();
    second();
    expect(socket.frames("unsubscribe")).toEqual([
      { type: "unsubscribe", payload: { environments: ["e1"] } },
    ]);

    socket.serverClose(1006);
    vi.advanceTimersByTime(1_000);
    socket = FakeWebSocket.latest();
    socket.accept();
    expect(socket.frames("subscribe")).toEqual([{ type: "subscribe", payload: { logs: true } }]);
    logs();
    expect(socket.frames("unsubscribe")).toEqual([
      { type: "unsubscribe", payload: { logs: true } },
    ]);
  });

  it("asks again for the ids an unsubscribe of every environment drops on the server", () => {
    const { connection } = build();
    connection.start(TOKEN);
    const socket = FakeWebSocket.latest();
    socket.accept();
    connection.subscribe({ environments: ["e1"] });
    const everything = connection.subscribe({ environments: "*" });
    everything();
    expect(socket.frames().slice(1)).toEqual([
      { type: "subscribe", payload: { environments: ["e1"] } },
      { type: "subscribe", payload: { environments: "*" } },
      { type: "unsubscribe", payload: { environments: "*" } },
      { type: "subscribe", payload: { environments: ["e1"] } },
    ]);
  });

  it("stops for good: closes normally and never reconnects", () => {
    const { connection } = build();
    connection.start(TOKEN);
    const socket = FakeWebSocket.latest();
    socket.accept();
    connection.stop();
    expect(socket.closedWith).toBe(1000);
    vi.advanceTimersByTime(120_000);
    expect(opened()).toBe(1);
  });

  it("reads offline while the browser is, and tries again as soon as it is back", () => {
    const { connection } = build();
    connection.start(TOKEN);
    const socket = FakeWebSocket.latest();
    socket.accept();

    window.dispatchEvent(new Event("offline"));
    expect(connection.getState().status).toBe("offline");
    expect(socket.closedWith).toBe(4000);
    window.dispatchEvent(new Event("online"));
    expect(opened()).toBe(2);
    connection.stop();
  });

  it("retries at once when asked to", () => {
    const { connection } = build();
    connection.start(TOKEN);
    FakeWebSocket.latest().serverClose(1006);
    connection.retryNow();
    expect(opened()).toBe(2);
    connection.stop();
  });
});
