import { screen, within } from "@testing-library/react";

import { HEALTH, makeSession, NO_ENVIRONMENTS, READY } from "../test/fixtures";
import { renderApp, stubApi } from "../test/renderApp";

const session = makeSession("viewer");
const NOT_READY = {
  status: 503,
  body: {
    error: {
      code: "UNAVAILABLE",
      message: "storage is unreachable",
      details: { backend: "mongodb" },
    },
  },
};

/** The value shown next to a label of the status card. */
function item(label: string): HTMLElement {
  return screen.getByRole("definition", { name: label });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("System status page", () => {
  it("shows the version, the storage backend and readiness from the API", async () => {
    const fetchMock = stubApi({ "/api/v1/health": HEALTH, "/api/v1/ready": READY });
    renderApp("/system", { session });

    expect(screen.getByRole("heading", { level: 1, name: "System status" })).toBeInTheDocument();
    expect(await screen.findByText("0.1.0")).toBeInTheDocument();
    expect(within(item("Version")).getByText("0.1.0")).toBeInTheDocument();
    expect(within(item("Storage backend")).getByText("sqlite")).toBeInTheDocument();
    expect(within(item("Readiness")).getByText("Ready")).toBeInTheDocument();
    expect(within(item("Storage latency")).getByText("0.4 ms")).toBeInTheDocument();
    expect(screen.queryByText("Not ready")).not.toBeInTheDocument();
    expect(document.title).toBe("System status · Envdeck");

    const paths = fetchMock.mock.calls.map(([request]) => new URL(String(request.url)).pathname);
    expect(paths).toEqual(expect.arrayContaining(["/api/v1/health", "/api/v1/ready"]));
    const health = fetchMock.mock.calls.find(([r]) => r.url.endsWith("/api/v1/health"));
    expect(health?.[0].headers.get("Authorization")).toBe(`Bearer ${session.token}`);
  });

  it("shows Not ready with the server's reason when storage is unreachable", async () => {
    stubApi({ "/api/v1/health": HEALTH, "/api/v1/ready": NOT_READY });
    renderApp("/system", { session });

    expect(await screen.findByText("Not ready")).toBeInTheDocument();
    expect(within(item("Readiness")).getByText("Not ready")).toBeInTheDocument();
    expect(within(item("Storage backend")).getByText("mongodb")).toBeInTheDocument();
    expect(within(item("Version")).getByText("0.1.0")).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("storage is unreachable");
  });

  it("shows a loading state until the server answers", async () => {
    const never = () => new Promise<never>(() => {});
    stubApi({ "/api/v1/health": never, "/api/v1/ready": never });
    renderApp("/system", { session });

    expect(
      await screen.findByRole("progressbar", { name: "Loading system status" }),
    ).toBeInTheDocument();
  });

  it("says so when the server cannot be reached at all", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
    );
    renderApp("/system", { session });

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText(/Cannot reach the Envdeck server/)).toBeInTheDocument();
  });

  it("is in the navigation after Environments, the start page", async () => {
    stubApi({ ...NO_ENVIRONMENTS });
    const { router } = renderApp("/", { session });

    expect(await screen.findByRole("heading", { name: "Environments" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/environments");
    const nav = screen.getByRole("navigation", { name: "Main" });
    const links = within(nav).getAllByRole("link");
    expect(links.map((link) => link.textContent)).toEqual([
      "Environments",
      "Versions",
      "Pipelines",
      "Operations",
      "Activity",
      "Reservations",
      "Maintenance",
      "System status",
    ]);
    expect(screen.getByRole("link", { name: "System status" })).toHaveAttribute("href", "/system");
  });

  it("shows a real not-found page for unknown addresses", async () => {
    stubApi({});
    renderApp("/no/such/page", { session });

    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to the start page" })).toHaveAttribute("href", "/");
    expect(document.title).toBe("Page not found · Envdeck");
  });
});
