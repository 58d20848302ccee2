import { screen, within } from "@testing-library/react";

import { renderApp, stubApi } from "../test/renderApp";

const HEALTH = { status: 200, body: { status: "healthy", version: "1.2.3" } };

afterEach(() => {
  vi.unstubAllGlobals();
});

describe("System status page", () => {
  it("shows the version, the storage backend and readiness from the API", async () => {
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": {
        status: 200,
        body: { status: "ready", version: "1.2.3", storage: { backend: "sqlite", latencyMs: 0.4 } },
      },
    });
    renderApp("/system");

    expect(await screen.findByText("1.2.3")).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "System status" })).toBeInTheDocument();
    expect(screen.getByText("sqlite")).toBeInTheDocument();
    expect(screen.getByText("Ready")).toBeInTheDocument();
    expect(screen.getByText("0.4 ms")).toBeInTheDocument();
    expect(document.title).toBe("System status · Envdeck");
  });

  it("shows Not ready with the server's reason when storage is unreachable", async () => {
    stubApi({
      "/api/v1/health": HEALTH,
      "/api/v1/ready": {
        status: 503,
        body: {
          error: {
            code: "UNAVAILABLE",
            message: "storage is unreachable",
            details: { backend: "mongodb" },
          },
        },
      },
    });
    renderApp("/system");

    expect(await screen.findByText("Not ready")).toBeInTheDocument();
    expect(screen.getByText("storage is unreachable")).toBeInTheDocument();
    expect(screen.getByText("mongodb")).toBeInTheDocument();
  });

  it("says so when the server cannot be reached at all", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    renderApp("/system");

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText(/Cannot reach the Envdeck server/)).toBeInTheDocument();
  });

  it("opens on the System status page", async () => {
    stubApi({ "/api/v1/health": HEALTH });
    const { router } = renderApp("/");

    expect(await screen.findByRole("heading", { name: "System status" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/system");
  });

  it("shows a real not-found page for unknown addresses", async () => {
    renderApp("/environments/abc");

    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to the start page" })).toHaveAttribute("href", "/");
  });
});
