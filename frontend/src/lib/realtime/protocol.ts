// The /ws protocol (DESIGN §6, docs/realtime.md): JSON frames {"type", "payload"}.

/** A frame from the server; each feature narrows the payloads of the types it handles. */
export interface ServerMessage {
  type: string;
  payload?: unknown;
}

/** What a connection asks to receive beyond the dashboard-level messages everyone gets. */
export interface Topics {
  /** Output and log frames of these environments, or of every one ("*"). */
  environments?: string[] | "*";
  /** Output frames of these operations. */
  operations?: string[];
  /** Every log frame (the activity log's live tail, the notifications bell). */
  logs?: boolean;
}

/** The close codes the server uses, and what the client does about each. */
export const CLOSE_CODES = {
  /** The server is going away (restart, shutdown): reconnect with backoff. */
  goingAway: 1001,
  /** Authentication failed, the token expired or was revoked, the user was deactivated. */
  authFailed: 4001,
  /** The client could not keep up: it missed messages, so reconnect and refetch. */
  tooSlow: 4008,
  /** Too many frames from the client: reconnect, but not soon. */
  flood: 4429,
} as const;

/** The /ws address on the page's own host (the server serves the UI and the API). */
export function realtimeUrl(location: Location = window.location): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws`;
}
