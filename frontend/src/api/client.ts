import createClient from "openapi-fetch";

import type { components, paths } from "./schema";

export type ErrorResponse = components["schemas"]["ErrorResponse"];

/** The typed API client; paths and bodies come from the backend's OpenAPI (schema.d.ts). */
export const api = createClient<paths>({
  // Same origin as the page: the backend serves both the UI and the API.
  baseUrl: "",
  // Looked up at call time (not captured at import), so tests can stub the global fetch.
  fetch: (request) => globalThis.fetch(request),
});

/** An error the API answered with its envelope, or with a status and no envelope. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: Record<string, unknown>;
  /** Seconds to wait before trying again (429), from Retry-After or the details. */
  readonly retryAfter: number | null;

  constructor(status: number, body: ErrorResponse | undefined, headers?: Headers) {
    super(body?.error.message ?? `the server answered ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = body?.error.code ?? "UNKNOWN";
    this.details = body?.error.details ?? {};
    this.retryAfter = retryAfterSeconds(headers?.get("Retry-After"), this.details.retryAfter);
  }

  /** The error of a response that was not ok, with its envelope if it had one. */
  static of(response: Response, body: unknown): ApiError {
    return new ApiError(response.status, isEnvelope(body) ? body : undefined, response.headers);
  }
}

function isEnvelope(body: unknown): body is ErrorResponse {
  return typeof body === "object" && body !== null && "error" in body;
}

function retryAfterSeconds(header: string | null | undefined, detail: unknown): number | null {
  const seconds = header ? Number(header) : typeof detail === "number" ? detail : NaN;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}
