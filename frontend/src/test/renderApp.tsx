import { QueryClient } from "@tanstack/react-query";
import { render } from "@testing-library/react";
import { createMemoryRouter } from "react-router";

import App from "../App";
import { routes } from "../routes/routes";

/** Render the whole app at a path, with a fresh query cache that does not retry. */
export function renderApp(path: string) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  return { router, ...render(<App queryClient={queryClient} router={router} />) };
}

/** Stub the global fetch with JSON answers keyed by path. */
export function stubApi(answers: Record<string, { status: number; body: unknown }>) {
  const fetchMock = vi.fn(async (input: Request) => {
    const url = new URL(input.url);
    const answer = answers[url.pathname];
    if (!answer) return new Response("{}", { status: 404 });
    return new Response(JSON.stringify(answer.body), {
      status: answer.status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}
