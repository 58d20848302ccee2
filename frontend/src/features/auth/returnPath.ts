/** What RequireSession hands the login page: the page to go back to after signing in. */
export interface LoginLocationState {
  from?: string;
}

export const DEFAULT_PAGE = "/environments";

/** The page to go to after signing in: the one the user came from, if it is one of ours. */
export function returnPath(state: unknown): string {
  const from = (state as LoginLocationState | null)?.from;
  // Only paths of this app: never another origin ("//host"), never back to login or setup.
  if (typeof from !== "string" || !from.startsWith("/") || from.startsWith("//")) {
    return DEFAULT_PAGE;
  }
  if (/^\/(login|setup)(?:[/?#]|$)/.test(from)) return DEFAULT_PAGE;
  return from;
}
