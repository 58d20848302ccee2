import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";

import { makeEnvironment } from "../../test/fixtures";
import GroupedView from "./GroupedView";

const many = Array.from({ length: 11 }, (_, index) =>
  makeEnvironment(`shop-${String(index).padStart(2, "0")}`, {
    metadata: { app: "shop" },
    tags: index === 0 ? ["eu", "prod"] : ["eu"],
    status:
      index < 2
        ? { health: "unhealthy", lastCheck: null, message: "down", consecutiveFailures: 1 }
        : undefined,
  }),
);

describe("GroupedView", () => {
  it("shows 8 environments a cell, all of them on request, and counts the unhealthy", async () => {
    render(
      <MemoryRouter>
        <GroupedView environments={many} groupBy="meta:app" columnsBy={null} />
      </MemoryRouter>,
    );
    const row = screen.getByRole("row", { name: "shop" });
    expect(within(row).getByText("11 envs · 2 unhealthy")).toBeInTheDocument();
    expect(within(row).getAllByRole("link")).toHaveLength(8);
    // No selection (a viewer): no checkboxes.
    expect(within(row).queryByRole("checkbox")).not.toBeInTheDocument();

    await userEvent.click(within(row).getByRole("button", { name: "Show all 11" }));
    expect(within(row).getAllByRole("link")).toHaveLength(11);
    await userEvent.click(within(row).getByRole("button", { name: "Show fewer" }));
    expect(within(row).getAllByRole("link")).toHaveLength(8);
  });

  it("puts an environment in the row of each of its tags", () => {
    render(
      <MemoryRouter>
        <GroupedView environments={many.slice(0, 2)} groupBy="tag" columnsBy={null} />
      </MemoryRouter>,
    );
    expect(screen.getByRole("row", { name: "prod" })).toHaveTextContent("shop-00");
    const eu = screen.getByRole("row", { name: "eu" });
    expect(within(eu).getAllByRole("link").map((link) => link.textContent)).toEqual([
      "shop-00",
      "shop-01",
    ]);
  });
});
