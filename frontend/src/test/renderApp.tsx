import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { createMemoryRouter } from "react-router";

import { api } from "../api/client";
import App from "../App";
import { authMiddleware } from "../lib/authMiddleware";
import { type Session, saveSession } from "../lib/session";
import { routes } from "../routes/routes";

// As main.tsx does; once per test file (each file gets its own modules).
api.use(authMiddleware);

interface RenderOptions {
  /** Sign in as this session before the app starts. */
  session?: Session;
}

/** Render the whole app at a path, with a fresh query cache that does not retry. */
export function renderApp(path: string, { session }: RenderOptions = {}) {
  if (session) saveSession(session);
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  return { router, queryClient, ...render(<App queryClient={queryClient} router={router} />) };
}

export interface Answer {
  status: number;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of a JSON body (give its Content-Type in headers). */
  text?: string;
  headers?: Record<string, string>;
}

/** An answer, or a function of the request that gives one (to look at what was sent). */
export type Responder = Answer | ((request: Request) => Answer | Promise<Answer>);

// Setup is done unless a test says otherwise.
const DEFAULT_ANSWERS: Record<string, Responder> = {
  "GET /api/v1/setup": { status: 200, body: { needsSetup: false } },
};

/**
 * Stub the global fetch with JSON answers keyed by "METHOD /path" or by "/path" (any method).
 * Anything else answers 404.
 */
export function stubApi(answers: Record<string, Responder>) {
  const all = { ...DEFAULT_ANSWERS, ...answers };
  const fetchMock = vi.fn(async (input: Request) => {
    const { pathname } = new URL(input.url);
    const responder = all[`${input.method} ${pathname}`] ?? all[pathname];
    if (!responder) return new Response("{}", { status: 404 });
    const answer = typeof responder === "function" ? await responder(input) : responder;
    if (answer.text !== undefined) {
      return new Response(answer.text, { status: answer.status, headers: answer.headers });
    }
    const hasBody = answer.body !== undefined && answer.status !== 204;
    return new Response(hasBody ? JSON.stringify(answer.body) : null, {
      status: answer.status,
      headers: { ...(hasBody ? { "Content-Type": "application/json" } : {}), ...answer.headers },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

/** The "METHOD /path" of every request the stub received, in order. */
export function requestsTo(fetchMock: ReturnType<typeof stubApi>): string[] {
  return fetchMock.mock.calls.map(
    ([request]) => `${request.method} ${new URL(request.url).pathname}`,
  );
}
