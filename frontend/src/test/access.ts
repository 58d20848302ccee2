import { screen, within } from "@testing-library/react";

import { requestsTo, type stubApi } from "./renderApp";

/**
 * The page says its reader has no access, the main navigation offers no link to it, and none
 * of its data was asked for (no request path contains `path`).
 */
export async function expectNoAccess(
  fetchMock: ReturnType<typeof stubApi>,
  { link, path }: { link: string; path: string },
) {
  expect(
    await screen.findByRole("heading", { name: "You don't have access" }),
  ).toBeInTheDocument();
  const nav = screen.getByRole("navigation", { name: "Main" });
  expect(within(nav).queryByRole("link", { name: link })).not.toBeInTheDocument();
  expect(requestsTo(fetchMock).filter((r) => r.includes(path))).toEqual([]);
}
