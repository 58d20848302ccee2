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

  constructor(status: number, body: ErrorResponse | undefined) {
    super(body?.error.message ?? `the server answered ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.code = body?.error.code ?? "UNKNOWN";
    this.details = body?.error.details ?? {};
  }
}
