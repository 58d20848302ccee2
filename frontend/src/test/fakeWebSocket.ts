/**
 * A WebSocket the tests drive: nothing leaves the process. The app's connection opens one as
 * usual; a test then plays the server with open(), receive() and serverClose(), and reads what
 * the client sent with frames(). Installed as the global WebSocket by setup.ts.
 */
export class FakeWebSocket {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSING = 2;
  static readonly CLOSED = 3;

  /** Every socket created since the last reset, oldest first. */
  static instances: FakeWebSocket[] = [];

  readonly url: string;
  readyState = FakeWebSocket.CONNECTING;
  /** The raw frames the client sent. */
  readonly sent: string[] = [];
  /** The code the client closed with, if it did. */
  closedWith: number | null = null;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;

  constructor(url: string | URL) {
    this.url = String(url);
    FakeWebSocket.instances.push(this);
  }

  static latest(): FakeWebSocket {
    const socket = FakeWebSocket.instances.at(-1);
    if (!socket) throw new Error("no WebSocket was opened");
    return socket;
  }

  static reset(): void {
    FakeWebSocket.instances = [];
  }

  send(data: string): void {
    if (this.readyState !== FakeWebSocket.OPEN) throw new Error("send() before open");
    this.sent.push(data);
  }

  close(code = 1000): void {
    if (this.readyState === FakeWebSocket.CLOSED) return;
    this.closedWith = code;
    this.finish(code);
  }

  /** The parsed frames the client sent, optionally only those of one type. */
  frames(type?: string): { type: string; payload?: unknown }[] {
    const all = this.sent.map((raw) => JSON.parse(raw) as { type: string; payload?: unknown });
    return type === undefined ? all : all.filter((frame) => frame.type === type);
  }

  // --- the server's side ---

  open(): void {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.(new Event("open"));
  }

  receive(message: unknown): void {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(message) }));
  }

  /** Open, take the auth frame and answer ready, as the server does for a good token. */
  accept(): void {
    this.open();
    this.receive({ type: "ready", payload: { connectionId: "c1" } });
  }

  serverClose(code: number, reason = ""): void {
    this.finish(code, reason);
  }

  private finish(code: number, reason = ""): void {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.(new CloseEvent("close", { code, reason, wasClean: code !== 1006 }));
  }
}
