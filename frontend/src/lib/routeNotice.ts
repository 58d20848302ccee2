/** The navigation state that has the next page say what was just done ("Created shop-dev."). */
export function withNotice(message: string): { notice: string } {
  return { notice: message };
}

/** The notice a navigation carried, if any. */
export function noticeOf(state: unknown): string | null {
  if (typeof state !== "object" || state === null) return null;
  const notice = (state as { notice?: unknown }).notice;
  return typeof notice === "string" ? notice : null;
}
