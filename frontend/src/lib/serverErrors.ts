import { ApiError } from "../api/client";

/** A problem the server found with one field, with the advice it gave (zxcvbn's, for passwords). */
export interface FieldProblem {
  field: string;
  message: string;
  advice: string[];
}

/** "invalid username or password" → "Invalid username or password" */
export function sentence(message: string): string {
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/** "about 15 minutes", "40 seconds": how long a wait of this many seconds is. */
export function waitTime(seconds: number): string {
  if (seconds < 60) return seconds === 1 ? "1 second" : `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/** What to tell the user about a failed request, in one sentence. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) {
      return error.retryAfter === null
        ? "Too many attempts: wait a while and try again"
        : `Too many attempts: try again in ${waitTime(error.retryAfter)}`;
    }
    return sentence(error.message);
  }
  // fetch rejects with a TypeError when the server cannot be reached at all.
  if (error instanceof TypeError) return "Cannot reach the Envdeck server: check your connection";
  return error instanceof Error ? sentence(error.message) : "Something went wrong";
}

/**
 * The field problems of a validation error, in both shapes the API uses: one field named in
 * details.field (the domain's checks, such as the password policy) or a list in details.fields
 * (the request's shape).
 */
export function fieldProblems(error: unknown): FieldProblem[] {
  if (!(error instanceof ApiError)) return [];
  const { details } = error;
  if (typeof details.field === "string") {
    const warning = typeof details.warning === "string" && details.warning ? [details.warning] : [];
    const suggestions = Array.isArray(details.suggestions)
      ? details.suggestions.filter((s): s is string => typeof s === "string" && s !== "")
      : [];
    return [
      {
        field: details.field,
        message: sentence(error.message),
        advice: [...warning, ...suggestions],
      },
    ];
  }
  if (Array.isArray(details.fields)) {
    return details.fields.flatMap((entry: unknown) => {
      if (typeof entry !== "object" || entry === null) return [];
      const { field, message } = entry as { field?: unknown; message?: unknown };
      if (typeof field !== "string" || typeof message !== "string") return [];
      return [{ field, message: sentence(message), advice: [] }];
    });
  }
  return [];
}
