import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, makeSession } from "../../test/fixtures";
import { makeOperation } from "../../test/operations";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const NOT_HEALTHY = "not healthy within 120 s (last: HTTP 503)";
const FAILED = makeOperation({
  status: "failed",
  output: "POST https://alpha.example.test/upgrade\nHTTP 202\n",
  outputSeq: 2,
  finishedAt: "2025-03-01T09:33:00Z",
  error: { code: "VERIFICATION_FAILED", message: NOT_HEALTHY },
  verification: { verified: false, health: "unhealthy", attempts: 12, message: NOT_HEALTHY },
});
const RETRIED = makeOperation({ id: "0000000000000000000000b2", status: "running", output: "" });

describe("A failed operation", () => {
  it("says its error once and retries the same upgrade, then shows the new one", async () => {
    const sent: unknown[] = [];
    stubApi({
      [`GET /api/v1/operations/${FAILED.id}`]: { status: 200, body: FAILED },
      [`GET /api/v1/operations/${RETRIED.id}`]: { status: 200, body: RETRIED },
      [`POST /api/v1/environments/${FAILED.environmentId}/upgrade`]: async (request) => {
        sent.push(await request.json());
        return { status: 202, body: { operationId: RETRIED.id, status: "pending" } };
      },
    });
    const { router } = renderApp(`/operations/${FAILED.id}`, { session: makeSession("user") });
    const panel = await screen.findByRole("region", { name: "Operation" }, FIRST_RENDER);
    await within(panel).findByText("Failed");

    // Once, in the verification; not again in an error box beside it.
    expect(within(panel).getByLabelText("Verification")).toHaveTextContent(NOT_HEALTHY);
    expect(within(panel).queryByLabelText("Error")).not.toBeInTheDocument();

    await userEvent.setup().click(within(panel).getByRole("button", { name: "Retry" }));
    expect(sent).toEqual([{ version: "2.5.0", force: false }]);
    await vi.waitFor(() =>
      expect(router.state.location.pathname).toBe(`/operations/${RETRIED.id}`),
    );
    expect(await screen.findByText("Running")).toBeInTheDocument();
  });

  it("offers a viewer no retry", async () => {
    stubApi({ [`GET /api/v1/operations/${FAILED.id}`]: { status: 200, body: FAILED } });
    renderApp(`/operations/${FAILED.id}`, { session: makeSession("viewer") });
    const panel = await screen.findByRole("region", { name: "Operation" }, FIRST_RENDER);
    await within(panel).findByText("Failed");
    expect(within(panel).queryByRole("button", { name: "Retry" })).not.toBeInTheDocument();
  });

  it("shows the error of a command that failed, with a retry of the restart", async () => {
    const restart = makeOperation({
      type: "restart",
      status: "failed",
      params: { force: true },
      error: { code: "COMMAND_FAILED", message: "HTTP 500 from the target" },
    });
    const sent: unknown[] = [];
    stubApi({
      [`GET /api/v1/operations/${restart.id}`]: { status: 200, body: restart },
      [`POST /api/v1/environments/${restart.environmentId}/restart`]: async (request) => {
        sent.push(await request.json());
        return apiError(409, "OPERATION_IN_PROGRESS", "another operation is running");
      },
    });
    renderApp(`/operations/${restart.id}`, { session: makeSession("admin") });
    const panel = await screen.findByRole("region", { name: "Operation" }, FIRST_RENDER);
    expect(await within(panel).findByLabelText("Error")).toHaveTextContent(
      "COMMAND_FAILED: HTTP 500 from the target",
    );
    await userEvent.setup().click(within(panel).getByRole("button", { name: "Retry" }));
    expect(sent).toEqual([{ force: true }]);
    expect(await within(panel).findByText("Another operation is running")).toBeInTheDocument();
  });
});
