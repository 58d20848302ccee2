import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { apiError, makeSession } from "../../test/fixtures";
import { makeOperation } from "../../test/operations";
import { makePromotion } from "../../test/promotions";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";
import type { Promotion, Target } from "./types";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const ANOTHER = "another admin must approve it";
const EU_OPERATION = makeOperation({
  id: "0000000000000000000000c1",
  environmentName: "prod-eu",
  output: "upgrading prod-eu\n",
});
const US_OPERATION = makeOperation({
  id: "0000000000000000000000c2",
  environmentName: "prod-us",
  output: "upgrading prod-us\n",
});

function target(name: string, overrides: Partial<Target> = {}): Target {
  return {
    environmentId: `env-${name}`.padEnd(24, "0").slice(0, 24),
    environmentName: name,
    fromVersion: "2.4.1",
    status: "pending",
    operationId: null,
    rollbackOperationId: null,
    message: "",
    ...overrides,
  };
}

const RUNNING = makePromotion({
  approvalsRequired: 1,
  approvals: [
    { userId: "id-ada", username: "ada", at: "2025-03-01T09:31:00Z", selfApproved: false },
  ],
  targets: [
    target("prod-eu", { status: "running", operationId: EU_OPERATION.id }),
    target("prod-us"),
  ],
});

async function connected(): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  const socket = FakeWebSocket.latest();
  act(() => socket.accept());
  return socket;
}

function update(socket: FakeWebSocket, promotion: Promotion) {
  act(() => socket.receive({ type: "promotion_update", payload: { promotion } }));
}

function stubPromotion() {
  return stubApi({
    [`GET /api/v1/promotions/${RUNNING.id}`]: { status: 200, body: RUNNING },
    [`GET /api/v1/operations/${EU_OPERATION.id}`]: { status: 200, body: EU_OPERATION },
    [`GET /api/v1/operations/${US_OPERATION.id}`]: { status: 200, body: US_OPERATION },
    [`POST /api/v1/promotions/${RUNNING.id}/cancel`]: {
      status: 200,
      body: { ...RUNNING, status: "cancelled" },
    },
  });
}

describe("Promotion view", () => {
  it("shows each environment's operation and follows promotion_update frames", async () => {
    stubPromotion();
    renderApp(`/promotions/${RUNNING.id}`, { session: makeSession("viewer") });

    const summary = await screen.findByRole("region", { name: "Promotion" }, FIRST_RENDER);
    expect(within(summary).getByText("Running")).toBeInTheDocument();
    expect(screen.getByRole("region", { name: "Approval" })).toHaveTextContent("Approved by ada");
    expect(
      within(screen.getByRole("region", { name: "Gates" })).getByRole("listitem", {
        name: "Previous stage passed",
      }),
    ).toBeInTheDocument();
    // The running environment's operation is open, with its output.
    expect(
      await screen.findByRole("heading", { name: "Upgrade of prod-eu to 2.5.0" }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByRole("log", { name: "Output" })).toHaveTextContent("upgrading prod-eu"),
    );
    expect(
      screen.queryByRole("heading", { name: "Upgrade of prod-us to 2.5.0" }),
    ).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel promotion" })).not.toBeInTheDocument();

    const socket = await connected();
    update(socket, {
      ...RUNNING,
      targets: [
        target("prod-eu", { status: "succeeded", operationId: EU_OPERATION.id }),
        target("prod-us", { status: "running", operationId: US_OPERATION.id }),
      ],
    });
    expect(
      await screen.findByRole("heading", { name: "Upgrade of prod-us to 2.5.0" }),
    ).toBeInTheDocument();
    const eu = screen.getByRole("region", { name: "Environments" });
    expect(within(eu).getAllByText("Succeeded")).toHaveLength(1);
    // The finished one stays open, to show how it ended.
    expect(screen.getByRole("heading", { name: "Upgrade of prod-eu to 2.5.0" })).toBeVisible();

    update(socket, {
      ...RUNNING,
      status: "succeeded",
      finishedAt: "2025-03-01T09:40:00Z",
      message: "2.5.0 is on prod",
      targets: [
        target("prod-eu", { status: "succeeded", operationId: EU_OPERATION.id }),
        target("prod-us", { status: "succeeded", operationId: US_OPERATION.id }),
      ],
    });
    expect(await within(summary).findByText("Succeeded")).toBeInTheDocument();
    expect(within(summary).getByRole("alert", { name: "Outcome" })).toHaveTextContent(
      "2.5.0 is on prod",
    );
    expect(within(summary).getByText(/finished/)).toBeInTheDocument();
  }, 30_000);

  it("lets its requester cancel it", async () => {
    const fetchMock = stubPromotion();
    const session = makeSession("user");
    session.user = { ...session.user, id: "id-olive", username: "olive" };
    renderApp(`/promotions/${RUNNING.id}`, { session });

    const summary = await screen.findByRole("region", { name: "Promotion" }, FIRST_RENDER);
    await userEvent.click(within(summary).getByRole("button", { name: "Cancel promotion" }));

    expect(await within(summary).findByText("Cancelled")).toBeInTheDocument();
    expect(requestsTo(fetchMock)).toContain(`POST /api/v1/promotions/${RUNNING.id}/cancel`);
    expect(
      within(summary).queryByRole("button", { name: "Cancel promotion" }),
    ).not.toBeInTheDocument();
  });

  it("lets another admin approve it, and says why its requester may not", async () => {
    const waiting = makePromotion({ status: "awaiting_approval", approvalsRequired: 1 });
    let approved = false;
    stubApi({
      [`GET /api/v1/promotions/${waiting.id}`]: () => ({
        status: 200,
        body: approved ? { ...waiting, status: "running" } : waiting,
      }),
      [`POST /api/v1/promotions/${waiting.id}/approve`]: (request) => {
        if (request.headers.get("Authorization") === "Bearer token-of-olive") {
          return apiError(403, "FORBIDDEN", `olive requested this promotion: ${ANOTHER}`);
        }
        approved = true;
        return { status: 200, body: { ...waiting, status: "running" } };
      },
    });
    const requester = makeSession("admin", "token-of-olive");
    requester.user = { ...requester.user, id: "id-olive", username: "olive" };
    const { unmount } = renderApp(`/promotions/${waiting.id}`, { session: requester });

    const approval = await screen.findByRole("region", { name: "Approval" }, FIRST_RENDER);
    expect(approval).toHaveTextContent("Waits for an admin other than olive to approve it.");
    await userEvent.click(within(approval).getByRole("button", { name: "Approve" }));
    expect(
      await within(approval).findByText(
        "Olive requested this promotion: another admin must approve it",
      ),
    ).toBeInTheDocument();
    unmount();

    renderApp(`/promotions/${waiting.id}`, { session: makeSession("admin") });
    const other = await screen.findByRole("region", { name: "Approval" }, FIRST_RENDER);
    await userEvent.click(within(other).getByRole("button", { name: "Approve" }));
    const summary = screen.getByRole("region", { name: "Promotion" });
    expect(await within(summary).findByText("Running")).toBeInTheDocument();
    expect(within(other).queryByRole("button", { name: "Approve" })).not.toBeInTheDocument();
  }, 30_000);
});
