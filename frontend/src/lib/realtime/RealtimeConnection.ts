import { backoffDelay, type BackoffPolicy, DEFAULT_BACKOFF } from "./backoff";
import { CLOSE_CODES, type ServerMessage, type Topics } from "./protocol";
import { type SubscriptionFrame, SubscriptionSet } from "./subscriptions";

/**
 * connecting: the first attempt of this session; connected: authenticated, messages flow;
 * reconnecting: lost, retrying with backoff; offline: the browser has no network, or the
 * server has not answered several attempts in a row (retries go on).
 */
export type ConnectionStatus = "connecting" | "connected" | "reconnecting" | "offline";

export interface ConnectionState {
  status: ConnectionStatus;
  /** Attempts that failed in a row since the last successful connection. */
  failures: number;
}

export interface ConnectionOptions {
  url: string;
  /** The server refused the token (close 4001): the session is over. */
  onAuthFailed?: (token: string) => void;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** A ping this often; no answer within pongTimeoutMs means the peer is gone. */
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  /** From opening the socket to the server's ready frame. */
  readyTimeoutMs?: number;
  /** Failed attempts in a row after which the state reads offline. */
  offlineAfter?: number;
  createSocket?: (url: string) => WebSocket;
}

type Listener = (message: ServerMessage) => void;
type Timer = ReturnType<typeof setTimeout>;

// A client may close with 1000 or 3000-4999; this one says "you did not answer".
const CLIENT_GAVE_UP = 4000;
const NORMAL_CLOSURE = 1000;
// WebSocket.readyState values (not read from the global, which tests replace).
const CONNECTING = 0;
const OPEN = 1;
// A flood closure starts the backoff this far up (4-8 s, then longer).
const FLOOD_ATTEMPT = 3;

/**
 * One WebSocket to /ws for a signed-in session: authenticates with a first frame, keeps the
 * subscriptions the page asks for, sends heartbeats, and reconnects with exponential backoff
 * and jitter. After any loss it tells its resync listeners, once connected again, to refetch
 * what may have changed meanwhile; a 4001 closure ends the session instead.
 */
export class RealtimeConnection {
  private readonly options: Required<Omit<ConnectionOptions, "onAuthFailed">> &
    Pick<ConnectionOptions, "onAuthFailed">;
  private token: string | null = null;
  private socket: WebSocket | null = null;
  private ready = false;
  private needsResync = false;
  private state: ConnectionState = { status: "connecting", failures: 0 };
  private retryTimer: Timer | null = null;
  private readyTimer: Timer | null = null;
  private pongTimer: Timer | null = null;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private readonly subscriptions = new SubscriptionSet();
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly resyncListeners = new Set<() => void>();
  private readonly stateListeners = new Set<() => void>();

  constructor(options: ConnectionOptions) {
    this.options = {
      backoff: DEFAULT_BACKOFF,
      random: Math.random,
      heartbeatMs: 25_000,
      pongTimeoutMs: 10_000,
      readyTimeoutMs: 10_000,
      offlineAfter: 3,
      createSocket: (url) => new WebSocket(url),
      ...options,
    };
  }

  /** Connect with this token (a different token starts a fresh connection). */
  start(token: string): void {
    if (this.token === token) return;
    if (this.token !== null) this.stop();
    this.token = token;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.setState({ status: "connecting", failures: 0 });
    this.connect();
  }

  /** Close the connection for good (signed out, or the page is gone). */
  stop(): void {
    this.token = null;
    this.needsResync = false;
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    this.clearTimers();
    this.retryTimer = clear(this.retryTimer);
    this.discardSocket(NORMAL_CLOSURE);
    this.setState({ status: "connecting", failures: 0 });
  }

  /** Try now instead of waiting for the next attempt (the indicator's "retry"). */
  retryNow(): void {
    if (this.token === null || this.socket !== null) return;
    this.retryTimer = clear(this.retryTimer);
    this.connect();
  }

  /** Ask for topics until the returned function is called. */
  subscribe(topics: Topics): () => void {
    this.sendAll(this.subscriptions.add(topics));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.sendAll(this.subscriptions.remove(topics));
    };
  }

  /** Call listener with every frame of this type ("*" for every type). */
  on(type: string, listener: Listener): () => void {
    const set = this.listeners.get(type) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(type, set);
    return () => set.delete(listener);
  }

  /** Call listener each time the connection is back after a loss (to refetch). */
  onResync(listener: () => void): () => void {
    this.resyncListeners.add(listener);
    return () => this.resyncListeners.delete(listener);
  }

  readonly getState = (): ConnectionState => this.state;

  readonly subscribeState = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  private connect(): void {
    if (this.token === null) return;
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    this.ready = false;
    socket.onopen = () => this.send("auth", { token: this.token });
    socket.onmessage = (event: MessageEvent) => this.receive(event.data);
    socket.onclose = (event: CloseEvent) => this.closed(event.code);
    this.readyTimer = setTimeout(() => this.giveUp(), this.options.readyTimeoutMs);
  }

  private receive(data: unknown): void {
    // Any frame shows the peer is alive.
    this.pongTimer = clear(this.pongTimer);
    const message = parse(data);
    if (!message) return;
    if (message.type === "ready") {
      this.becameReady();
      return;
    }
    if (message.type === "pong") return;
    for (const type of [message.type, "*"]) {
      for (const listener of this.listeners.get(type) ?? []) listener(message);
    }
  }

  private becameReady(): void {
    this.ready = true;
    this.readyTimer = clear(this.readyTimer);
    this.setState({ status: "connected", failures: 0 });
    for (const topics of this.subscriptions.current()) this.send("subscribe", topics);
    this.heartbeat = setInterval(() => this.ping(), this.options.heartbeatMs);
    if (this.needsResync) {
      this.needsResync = false;
      for (const listener of this.resyncListeners) listener();
    }
  }

  private ping(): void {
    if (this.pongTimer !== null) return;
    this.send("ping");
    this.pongTimer = setTimeout(() => this.giveUp(), this.options.pongTimeoutMs);
  }

  /** The server did not answer in time: treat the socket as lost. */
  private giveUp(): void {
    this.discardSocket(CLIENT_GAVE_UP);
    this.closed(null);
  }

  private closed(code: number | null): void {
    this.clearTimers();
    this.socket = null;
    this.ready = false;
    const token = this.token;
    if (token === null) return;
    // Whatever was sent while the socket was down is lost: refetch once back.
    this.needsResync = true;
    if (code === CLOSE_CODES.authFailed) {
      this.stop();
      this.setState({ status: "offline", failures: 0 });
      this.options.onAuthFailed?.(token);
      return;
    }
    const attempt =
      code === CLOSE_CODES.flood
        ? Math.max(this.state.failures, FLOOD_ATTEMPT)
        : this.state.failures;
    this.scheduleRetry(attempt);
  }

  private scheduleRetry(attempt: number): void {
    const failures = attempt + 1;
    if (!navigator.onLine) {
      // No point trying: the online event starts the next attempt.
      this.setState({ status: "offline", failures });
      return;
    }
    const status = failures >= this.options.offlineAfter ? "offline" : "reconnecting";
    this.setState({ status, failures });
    const delay = backoffDelay(attempt, this.options.backoff, this.options.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private readonly onOnline = () => this.retryNow();

  private readonly onOffline = () => {
    // The socket may look open for a long while after the network went: drop it now.
    if (this.token === null) return;
    this.retryTimer = clear(this.retryTimer);
    if (this.socket !== null) {
      this.discardSocket(CLIENT_GAVE_UP);
      this.clearTimers();
      this.ready = false;
      this.needsResync = true;
    }
    this.setState({ status: "offline", failures: this.state.failures });
  };

  private send(type: string, payload?: unknown): void {
    const socket = this.socket;
    if (socket === null || socket.readyState !== OPEN) return;
    socket.send(JSON.stringify(payload === undefined ? { type } : { type, payload }));
  }

  private sendAll(frames: SubscriptionFrame[]): void {
    // Before ready, the full set goes out once the server is ready for it.
    if (!this.ready) return;
    for (const frame of frames) this.send(frame.type, frame.payload);
  }

  /** Close the socket without hearing about it again (its close event no longer matters). */
  private discardSocket(code: number): void {
    const socket = this.socket;
    if (socket === null) return;
    this.socket = null;
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    if (socket.readyState === CONNECTING || socket.readyState === OPEN) {
      socket.close(code);
    }
  }

  private clearTimers(): void {
    this.readyTimer = clear(this.readyTimer);
    this.pongTimer = clear(this.pongTimer);
    if (this.heartbeat !== null) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  private setState(state: ConnectionState): void {
    if (state.status === this.state.status && state.failures === this.state.failures) return;
    this.state = state;
    for (const listener of this.stateListeners) listener();
  }
}

function clear(timer: Timer | null): null {
  if (timer !== null) clearTimeout(timer);
  return null;
}

function parse(data: unknown): ServerMessage | null {
  if (typeof data !== "string") return null;
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === "object" && value !== null && "type" in value) {
      const { type } = value as { type: unknown };
      if (typeof type === "string") return value as ServerMessage;
    }
  } catch {
    // Not JSON: nothing the protocol sends; ignore it.
  }
  return null;
}
