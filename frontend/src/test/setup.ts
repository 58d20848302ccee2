import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

import { FakeWebSocket } from "./fakeWebSocket";

// A browser resolves the API client's relative URLs ("/api/v1/…") against the page; Node's
// Request (jsdom has none of its own) does not, so resolve them here the way a browser would.
// This runs before any test imports the client, which captures Request when it is created.
const NodeRequest = globalThis.Request;
class PageRequest extends NodeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    super(typeof input === "string" ? new URL(input, window.location.href) : input, init);
  }
}
globalThis.Request = PageRequest;

// findBy*/waitFor give up after 1 s by default: too little for a first MUI render on a busy
// CI machine. Waiting longer costs a passing test nothing.
configure({ asyncUtilTimeout: 5_000 });

afterEach(() => {
  cleanup();
  window.localStorage.clear();
});

// The session notice is kept per tab, in sessionStorage.
afterEach(() => {
  window.sessionStorage.clear();
});

// No test reaches a server: the app's live connection gets a socket the test drives.
globalThis.WebSocket = FakeWebSocket as unknown as typeof WebSocket;
afterEach(() => {
  FakeWebSocket.reset();
});

// jsdom lays nothing out and has no scrollIntoView; the app calls it (the skip link, keyboard
// focus in the virtualised dashboard). Scrolling a page without layout does nothing anyway.
if (!Element.prototype.scrollIntoView) {
  Element.prototype.scrollIntoView = () => {};
}
