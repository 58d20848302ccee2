import { render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter, RouterProvider } from "react-router";

import { withNotice } from "../lib/routeNotice";
import RouteNotice from "./RouteNotice";

function renderAt(state: unknown) {
  const router = createMemoryRouter([{ path: "/environments/:id", element: <RouteNotice /> }], {
    initialEntries: [{ pathname: "/environments/e1", search: "?tab=health", state }],
  });
  render(<RouterProvider router={router} />);
  return router;
}

describe("RouteNotice", () => {
  it("says what the previous page did, once: the history entry forgets it", async () => {
    const router = renderAt(withNotice("Created gamma."));
    expect(await screen.findByText("Created gamma.")).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.state).toBeNull());
    // The same page and query, without the notice: a reload or Back says nothing.
    expect(router.state.location.pathname).toBe("/environments/e1");
    expect(router.state.location.search).toBe("?tab=health");
    expect(screen.getByText("Created gamma.")).toBeInTheDocument();
  });

  it("says nothing after an ordinary navigation", () => {
    renderAt(null);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    expect(document.querySelector(".MuiSnackbar-root")).toBeNull();
  });
});
