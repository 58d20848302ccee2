import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { makeSession } from "../../test/fixtures";
import { makeOperation, operableEnvironment } from "../../test/operations";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };

function showDetails(
  environment: ReturnType<typeof operableEnvironment>,
  role: "viewer" | "user" | "admin",
) {
  stubApi({ [`GET /api/v1/environments/${environment.id}`]: { status: 200, body: environment } });
  renderApp(`/environments/${environment.id}`, { session: makeSession(role) });
}

/** The reason a disabled button gives in its tooltip. */
async function reasonOf(name: string): Promise<string> {
  const user = userEvent.setup();
  const button = await screen.findByRole("button", { name }, FIRST_RENDER);
  expect(button).toBeDisabled();
  // A disabled button takes no pointer events: its wrapper shows the tooltip.
  await user.hover(button.parentElement as HTMLElement);
  return (await screen.findByRole("tooltip")).textContent ?? "";
}

describe("Restart and Upgrade buttons", () => {
  it("are enabled for a user on an unprotected, idle, configured environment", async () => {
    showDetails(operableEnvironment("alpha"), "user");
    expect(await screen.findByRole("button", { name: "Restart" }, FIRST_RENDER)).toBeEnabled();
    expect(screen.getByRole("button", { name: "Upgrade" })).toBeEnabled();
  });

  it("tell a viewer that viewers cannot run operations", async () => {
    showDetails(operableEnvironment("alpha"), "viewer");
    expect(await reasonOf("Restart")).toBe("Viewers cannot run operations");
  });

  it("tell a user that a protected environment is for admins", async () => {
    showDetails(operableEnvironment("alpha", { protected: true }), "user");
    expect(await reasonOf("Upgrade")).toBe(
      "This environment is protected: only admins can operate it",
    );
  });

  it("stay enabled for an admin on a protected environment", async () => {
    showDetails(operableEnvironment("alpha", { protected: true }), "admin");
    expect(await screen.findByRole("button", { name: "Upgrade" }, FIRST_RENDER)).toBeEnabled();
  });

  it("say what is running while the environment is busy, and offer to follow it", async () => {
    showDetails(
      operableEnvironment("alpha", {
        activeOperation: {
          id: "0000000000000000000000a1",
          type: "restart",
          startedAt: "2025-03-01T09:30:00Z",
        },
      }),
      "admin",
    );
    expect(await reasonOf("Upgrade")).toBe("Busy: a restart is running");
    expect(
      screen.getByRole("button", { name: "Follow operation: the running restart of alpha" }),
    ).toBeEnabled();
  });

  it("say when a command is not configured", async () => {
    const environment = operableEnvironment("alpha");
    showDetails(
      { ...environment, upgradeConfig: { ...environment.upgradeConfig!, enabled: false } },
      "admin",
    );
    expect(await reasonOf("Upgrade")).toBe("Upgrade is not configured for this environment");
    const header = screen.getByRole("heading", { name: "alpha" }).parentElement as HTMLElement;
    expect(within(header).getByRole("button", { name: "Restart" })).toBeEnabled();
  });

  it("turn busy as soon as an operation of the environment starts, and free again when it ends", async () => {
    const environment = operableEnvironment("alpha");
    showDetails(environment, "admin");
    await screen.findByRole("button", { name: "Upgrade" }, FIRST_RENDER);
    await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
    const socket = FakeWebSocket.latest();
    act(() => socket.accept());
    const { output: _left, ...running } = makeOperation({ environmentId: environment.id });

    act(() => socket.receive({ type: "operation_update", payload: { operation: running } }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Upgrade" })).toBeDisabled());
    expect(
      screen.getByRole("button", { name: "Follow operation: the running upgrade of alpha" }),
    ).toBeEnabled();

    act(() =>
      socket.receive({
        type: "operation_update",
        payload: { operation: { ...running, status: "succeeded", durationMs: 1000 } },
      }),
    );
    await waitFor(() => expect(screen.getByRole("button", { name: "Upgrade" })).toBeEnabled());
  });
});
