import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { makeSession } from "../test/fixtures";
import { renderApp, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const ROWS = [
  {
    environmentId: "64b7f0c2a1d3e4f5a6b7c801",
    environmentName: "shop-dev",
    currentVersion: "2.3.0",
    latestVersion: "2.5.0",
    behindBy: 3,
    error: null,
  },
  {
    environmentId: "64b7f0c2a1d3e4f5a6b7c802",
    environmentName: "shop-prod",
    currentVersion: "2.5.0",
    latestVersion: "2.5.0",
    behindBy: 0,
    error: null,
  },
  {
    environmentId: "64b7f0c2a1d3e4f5a6b7c803",
    environmentName: "billing-qa",
    currentVersion: "1.0.0",
    latestVersion: null,
    behindBy: null,
    error: "The version list answered 503",
  },
];

function page(rows = ROWS, total = rows.length) {
  return {
    status: 200,
    body: { versions: rows, pagination: { page: 1, limit: 20, total, totalPages: 1 } },
  };
}

describe("Versions page", () => {
  it("is in the navigation, for viewers too", async () => {
    stubApi({ "GET /api/v1/versions": page() });
    renderApp("/versions", { session: makeSession("viewer") });
    expect(await screen.findByRole("heading", { level: 1, name: "Versions" })).toBeInTheDocument();
    expect(
      within(screen.getByRole("navigation", { name: "Main" })).getByRole("link", {
        name: "Versions",
      }),
    ).toHaveAttribute("href", "/versions");
  });

  it("shows each environment's version, the newest, how far behind, and list errors", async () => {
    stubApi({ "GET /api/v1/versions": page() });
    renderApp("/versions", { session: makeSession("viewer") });
    const table = await screen.findByRole("table", { name: "Versions" });
    const [, dev, prod, billing] = within(table).getAllByRole("row");
    expect(dev).toHaveTextContent(/shop-dev\s*2\.3\.0\s*2\.5\.0\s*Behind by 3/);
    expect(within(dev!).getByRole("link", { name: "shop-dev" })).toHaveAttribute(
      "href",
      "/environments/64b7f0c2a1d3e4f5a6b7c801",
    );
    expect(prod).toHaveTextContent("Up to date");
    expect(billing).toHaveTextContent("The version list answered 503");
    expect(within(billing!).queryByText(/Behind by/)).not.toBeInTheDocument();
  });

  it("searches and pages on the server", async () => {
    const fetchMock = stubApi({ "GET /api/v1/versions": page(ROWS, 45) });
    const user = userEvent.setup();
    renderApp("/versions", { session: makeSession("viewer") });
    await screen.findByRole("table", { name: "Versions" });

    await user.type(screen.getByLabelText("Search"), "shop");
    await user.click(screen.getByRole("button", { name: "Go to next page" }));
    await waitFor(() => {
      const urls = fetchMock.mock.calls.map(([request]) => new URL(request.url));
      const last = urls.filter((u) => u.pathname === "/api/v1/versions").at(-1)!;
      expect(last.searchParams.get("q")).toBe("shop");
      expect(last.searchParams.get("page")).toBe("2");
    });
  });

  it("shows only the environments behind their newest version, kept in the URL", async () => {
    const fetchMock = stubApi({
      "GET /api/v1/versions": (request) =>
        new URL(request.url).searchParams.get("behind") === "true" ? page([ROWS[0]!]) : page(),
    });
    const user = userEvent.setup();
    const { router } = renderApp("/versions", { session: makeSession("viewer") });
    const table = await screen.findByRole("table", { name: "Versions" });
    expect(within(table).getAllByRole("row")).toHaveLength(4);

    await user.click(screen.getByRole("switch", { name: "Behind only" }));
    await waitFor(() => expect(within(table).getAllByRole("row")).toHaveLength(2));
    expect(within(table).getByRole("link", { name: "shop-dev" })).toBeInTheDocument();
    expect(router.state.location.search).toBe("?behind=1");
    const last = fetchMock.mock.calls.map(([request]) => new URL(request.url)).at(-1)!;
    expect(last.searchParams.get("behind")).toBe("true");
    expect(last.searchParams.get("page")).toBe("1");
  });

  it("says when nothing is behind", async () => {
    stubApi({ "GET /api/v1/versions": page([]) });
    renderApp("/versions?behind=1", { session: makeSession("viewer") });
    expect(
      await screen.findByText("No environment is behind its newest listed version."),
    ).toBeInTheDocument();
    expect(screen.getByRole("switch", { name: "Behind only" })).toBeChecked();
  });

  it("says when nothing reports a version", async () => {
    stubApi({ "GET /api/v1/versions": page([]) });
    renderApp("/versions", { session: makeSession("viewer") });
    expect(
      await screen.findByText("No environment reports a version or lists the versions it can run."),
    ).toBeInTheDocument();
  });
});
