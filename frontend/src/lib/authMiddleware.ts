import type { Middleware } from "openapi-fetch";

import { endSession, getSession, isExpired } from "./session";

// These answer without a token; sending one would only risk ending a session on their 401s
// (a wrong password, a wrong setup token), which say nothing about the session.
const PUBLIC_PATHS = new Set(["/api/v1/auth/login", "/api/v1/setup"]);

const BEARER = "Bearer ";

/** Send the session's token with every request; end the session when the server refuses it. */
export const authMiddleware: Middleware = {
  onRequest({ request, schemaPath }) {
    const session = getSession();
    if (!session || PUBLIC_PATHS.has(schemaPath)) return undefined;
    if (isExpired(session)) {
      endSession(session.token);
      return undefined;
    }
    request.headers.set("Authorization", `${BEARER}${session.token}`);
    return request;
  },
  onResponse({ request, response }) {
    const sent = request.headers.get("Authorization");
    if (response.status === 401 && sent?.startsWith(BEARER)) {
      endSession(sent.slice(BEARER.length));
    }
    return undefined;
  },
};
