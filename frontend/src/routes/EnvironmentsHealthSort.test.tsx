import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import type { components } from "../api/schema";
import { environmentList, makeEnvironment, makeSession } from "../test/fixtures";
import { renderApp, stubApi } from "../test/renderApp";

type Environment = components["schemas"]["EnvironmentPublic"];

afterEach(() => {
  vi.unstubAllGlobals();
});

const status = (health: "healthy" | "unhealthy" | "unknown") => ({
  health,
  lastCheck: "2025-03-01T10:00:00Z",
  message: health === "unhealthy" ? "HTTP 503" : "",
  consecutiveFailures: health === "unhealthy" ? 3 : 0,
});

const FLEET = [
  makeEnvironment("alpha", { status: status("healthy") }),
  makeEnvironment("bravo", { status: status("healthy") }),
  makeEnvironment("charlie", { status: status("unknown") }),
  makeEnvironment("zulu", { status: status("unhealthy") }),
];

// As the server ranks health (domain HEALTH_RANK): unhealthy 0, unknown 1, healthy 2.
const RANK = { unhealthy: 0, unknown: 1, healthy: 2 } as const;

function sorted(sort: string | null): Environment[] {
  const byName = (a: Environment, b: Environment) => a.name.localeCompare(b.name);
  const rank = (e: Environment) => RANK[e.status?.health ?? "unknown"];
  if (sort === "health") return [...FLEET].sort((a, b) => rank(a) - rank(b) || byName(a, b));
  if (sort === "-health") return [...FLEET].sort((a, b) => rank(b) - rank(a) || byName(a, b));
  return [...FLEET].sort(byName);
}

function cardNames(): string[] {
  return screen.getAllByRole("article").map((card) => card.getAttribute("aria-label") ?? "");
}

describe("Sorting the dashboard by health", () => {
  it("puts the failing environments first with Health (unhealthy first)", async () => {
    const sorts: (string | null)[] = [];
    stubApi({
      "GET /api/v1/environments": (request) => {
        const sort = new URL(request.url).searchParams.get("sort");
        sorts.push(sort);
        return environmentList(sorted(sort));
      },
      "GET /api/v1/environments/summary": {
        status: 200,
        body: { total: 4, byHealth: { healthy: 2, unhealthy: 1, unknown: 1 }, byTag: {} },
      },
    });
    renderApp("/environments", { session: makeSession("viewer") });
    const user = userEvent.setup();
    await screen.findByRole("article", { name: "alpha" });
    expect(cardNames()).toEqual(["alpha", "bravo", "charlie", "zulu"]);

    await user.click(screen.getByRole("combobox", { name: "Sort by" }));
    await user.click(await screen.findByRole("option", { name: "Health (unhealthy first)" }));
    await waitFor(() => expect(cardNames()[0]).toBe("zulu"));
    expect(sorts.at(-1)).toBe("health");
    expect(cardNames()).toEqual(["zulu", "charlie", "alpha", "bravo"]);
    expect(screen.getByRole("combobox", { name: "Sort by" })).toHaveTextContent(
      "Health (unhealthy first)",
    );

    await user.click(screen.getByRole("combobox", { name: "Sort by" }));
    await user.click(await screen.findByRole("option", { name: "Health (healthy first)" }));
    await waitFor(() => expect(cardNames()[0]).toBe("alpha"));
    expect(sorts.at(-1)).toBe("-health");
    expect(cardNames()).toEqual(["alpha", "bravo", "charlie", "zulu"]);
  });
});
