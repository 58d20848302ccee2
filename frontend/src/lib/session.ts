import type { components } from "../api/schema";

export type Session = components["schemas"]["LoginResponse"];
export type SessionUser = Session["user"];

/** Why there is no session: the server or the clock ended it, or the user signed out. */
export type SessionNotice = "ended" | "signedOut";

export interface SessionState {
  session: Session | null;
  notice: SessionNotice | null;
}

// The session is kept in localStorage, not sessionStorage: every tab of the app shares one
// sign-in (links opened in a new tab work, and signing out in one tab signs out all of them,
// through the storage event), and it survives a browser restart until the token's own expiry
// (12 hours by default), which the server enforces anyway. sessionStorage would not make the
// token safer: a script injected into the page can read either storage.
export const SESSION_KEY = "envdeck.session";
// Per tab, so that only the tab that was signed out tells the user why.
export const NOTICE_KEY = "envdeck.sessionNotice";

const listeners = new Set<() => void>();
let cached: { raw: string | null; notice: string | null; state: SessionState } | null = null;

function parse(raw: string | null): Session | null {
  if (!raw) return null;
  try {
    const value = JSON.parse(raw) as Partial<Session>;
    return typeof value.token === "string" && typeof value.expiresAt === "string" && value.user
      ? (value as Session)
      : null;
  } catch {
    return null;
  }
}

/** The current session and notice; the same object until either changes (for React). */
export function getSessionState(): SessionState {
  const raw = window.localStorage.getItem(SESSION_KEY);
  const notice = window.sessionStorage.getItem(NOTICE_KEY);
  if (!cached || cached.raw !== raw || cached.notice !== notice) {
    const session = parse(raw);
    cached = {
      raw,
      notice,
      state: {
        session,
        notice: !session && (notice === "ended" || notice === "signedOut") ? notice : null,
      },
    };
  }
  return cached.state;
}

export function getSession(): Session | null {
  return getSessionState().session;
}

function changed(): void {
  for (const listener of listeners) listener();
}

/** Sign in: keep the token, its expiry and the user (after login, setup or a password change). */
export function saveSession(session: Session): void {
  window.localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  window.sessionStorage.removeItem(NOTICE_KEY);
  changed();
}

/** Forget the session because the user signed out. */
export function clearSession(): void {
  window.localStorage.removeItem(SESSION_KEY);
  window.sessionStorage.setItem(NOTICE_KEY, "signedOut");
  changed();
}

/**
 * Forget the session because the server refused its token (expired, revoked, password changed
 * elsewhere, account deactivated) or it expired. Only if token is still the current one: an
 * answer to a request sent before a new sign-in must not end the new session.
 */
export function endSession(token: string): void {
  if (getSession()?.token !== token) return;
  window.localStorage.removeItem(SESSION_KEY);
  window.sessionStorage.setItem(NOTICE_KEY, "ended");
  changed();
}

/** Tell whether the session's token is past its expiry. */
export function isExpired(session: Session, now = Date.now()): boolean {
  const expires = Date.parse(session.expiresAt);
  return Number.isFinite(expires) && expires <= now;
}

/** Listen for changes, in this tab and (through the storage event) in the others. */
export function subscribeSession(listener: () => void): () => void {
  const onStorage = (event: StorageEvent) => {
    if (event.key === SESSION_KEY || event.key === null) listener();
  };
  listeners.add(listener);
  window.addEventListener("storage", onStorage);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("storage", onStorage);
  };
}
