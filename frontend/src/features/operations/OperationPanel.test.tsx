import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { makeSession } from "../../test/fixtures";
import { makeOperation } from "../../test/operations";
import { renderApp, requestsTo, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const OPERATION = makeOperation({ output: "fetching 2.5.0\n", outputSeq: 1 });
const PATH = `/api/v1/operations/${OPERATION.id}`;

async function connected(): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
  const socket = FakeWebSocket.latest();
  act(() => socket.accept());
  return socket;
}

function output(socket: FakeWebSocket, seq: number, chunk: string) {
  act(() =>
    socket.receive({
      type: "operation_output",
      payload: { operationId: OPERATION.id, seq, stream: "stdout", chunk },
    }),
  );
}

describe("Operation panel", () => {
  it("shows the stored tail, then live chunks in seq order and each once", async () => {
    stubApi({ [`GET ${PATH}`]: { status: 200, body: OPERATION } });
    renderApp(`/operations/${OPERATION.id}`, { session: makeSession("viewer") });
    const log = await screen.findByRole("log", { name: "Output" }, FIRST_RENDER);
    await waitFor(() => expect(log).toHaveTextContent("fetching 2.5.0"));
    const socket = await connected();

    output(socket, 3, "step three\n");
    output(socket, 2, "step two\n");
    output(socket, 3, "step three\n");
    // Another operation's frame is not this panel's.
    act(() =>
      socket.receive({
        type: "operation_output",
        payload: { operationId: "0000000000000000000000ff", seq: 4, stream: "stdout", chunk: "x" },
      }),
    );
    expect(log.textContent).toBe("fetching 2.5.0\nstep two\nstep three\n");
    expect(screen.getByRole("heading", { name: "Upgrade of alpha to 2.5.0" })).toBeInTheDocument();
    // Viewers read, they do not cancel.
    expect(screen.queryByRole("button", { name: "Cancel operation" })).not.toBeInTheDocument();
  });

  it("follows new output at the end, and stops following when the reader scrolls up", async () => {
    stubApi({ [`GET ${PATH}`]: { status: 200, body: OPERATION } });
    renderApp(`/operations/${OPERATION.id}`, { session: makeSession("viewer") });
    const log = await screen.findByRole("log", { name: "Output" }, FIRST_RENDER);
    // jsdom lays nothing out: give the box a size.
    let height = 1000;
    Object.defineProperty(log, "scrollHeight", { configurable: true, get: () => height });
    Object.defineProperty(log, "clientHeight", { configurable: true, get: () => 200 });
    const socket = await connected();

    output(socket, 2, "one\n");
    expect(log.scrollTop).toBe(1000);

    log.scrollTop = 100;
    act(() => log.dispatchEvent(new Event("scroll")));
    height = 1200;
    output(socket, 3, "two\n");
    expect(log.scrollTop).toBe(100);

    log.scrollTop = 1000;
    act(() => log.dispatchEvent(new Event("scroll")));
    height = 1400;
    output(socket, 4, "three\n");
    expect(log.scrollTop).toBe(1400);
  });

  it("lets its requester cancel it, and shows the outcome once the script stopped", async () => {
    const running = makeOperation({ requestedBy: { userId: "id-user-vic", username: "user-vic" } });
    const cancelled = makeOperation({
      requestedBy: running.requestedBy,
      status: "cancelled",
      finishedAt: "2025-03-01T09:31:00Z",
      durationMs: 65_000,
      error: { code: "CANCELLED", message: "cancelled by user-vic" },
    });
    let stored = running;
    const fetchMock = stubApi({
      [`GET ${PATH}`]: () => ({ status: 200, body: stored }),
      // Accepted at once: the record as it is, still running.
      [`POST ${PATH}/cancel`]: { status: 202, body: running },
    });
    const user = userEvent.setup();
    renderApp(`/operations/${OPERATION.id}`, { session: makeSession("user") });
    const socket = await connected();

    await user.click(await screen.findByRole("button", { name: "Cancel operation" }, FIRST_RENDER));

    const panel = screen.getByRole("region", { name: "Operation" });
    expect(await within(panel).findByRole("button", { name: "Stopping…" })).toBeDisabled();
    expect(requestsTo(fetchMock)).toContain(`POST ${PATH}/cancel`);

    stored = cancelled;
    const { output: _left, ...frame } = cancelled;
    act(() => socket.receive({ type: "operation_update", payload: { operation: frame } }));

    expect(await within(panel).findByText("Cancelled")).toBeInTheDocument();
    expect(within(panel).getByLabelText("Duration")).toHaveTextContent("1:05");
    expect(within(panel).getByLabelText("Error")).toHaveTextContent("cancelled by user-vic");
    expect(within(panel).queryByRole("button", { name: /Cancel operation|Stopping/ })).toBeNull();
  });

  it("does not offer a user to cancel somebody else's operation", async () => {
    stubApi({ [`GET ${PATH}`]: { status: 200, body: OPERATION } });
    renderApp(`/operations/${OPERATION.id}`, { session: makeSession("user") });
    await screen.findByRole("log", { name: "Output" }, FIRST_RENDER);
    expect(screen.queryByRole("button", { name: "Cancel operation" })).not.toBeInTheDocument();
  });

  it("shows how it ended, live: verification and the rollback it started", async () => {
    let stored = OPERATION;
    stubApi({ [`GET ${PATH}`]: () => ({ status: 200, body: stored }) });
    renderApp(`/operations/${OPERATION.id}`, { session: makeSession("admin") });
    const panel = await screen.findByRole("region", { name: "Operation" }, FIRST_RENDER);
    const socket = await connected();

    const failed = makeOperation({
      status: "failed",
      durationMs: 125_000,
      httpStatus: 202,
      error: { code: "VERIFICATION_FAILED", message: "version stayed 2.4.0" },
      verification: {
        health: "healthy",
        version: "2.4.0",
        attempts: 12,
        verified: false,
        message: "",
      },
      rollbackOperationId: "0000000000000000000000b7",
      output: OPERATION.output,
    });
    // The server has it stored when the frame goes out (the panel refetches its final tail).
    stored = failed;
    const { output: _left, ...frame } = failed;
    act(() => socket.receive({ type: "operation_update", payload: { operation: frame } }));

    expect(await within(panel).findByText("Failed")).toBeInTheDocument();
    expect(within(panel).getByLabelText("Verification")).toHaveTextContent(
      "Not verified: health healthy, version 2.4.0, 12 checks",
    );
    expect(within(panel).getByText("HTTP 202")).toBeInTheDocument();
    expect(within(panel).getByRole("link", { name: "the rollback operation" })).toHaveAttribute(
      "href",
      "/operations/0000000000000000000000b7",
    );
    // The output already shown stays.
    expect(within(panel).getByRole("log", { name: "Output" })).toHaveTextContent("fetching 2.5.0");
  });

  it("shows every chunk from the first when it subscribed after the operation started", async () => {
    const first = "POST https://alpha.example.test/upgrade\nHTTP 202 Accepted\n";
    const succeeded = "[envdeck] command succeeded; verifying (up to 120 s)\n";
    const verify1 = "verify #1: unhealthy: expected status 2xx, got 503\n";
    const verify2 = "verify #2: unhealthy: expected status 2xx, got 503\n";
    // Fetched before the server kept any output; then as the server has it.
    const answers = [
      makeOperation({ output: "", outputSeq: 0 }),
      makeOperation({ output: first + succeeded + verify1, outputSeq: 3 }),
    ];
    let fetches = 0;
    stubApi({
      [`GET ${PATH}`]: () => {
        const body = answers[Math.min(fetches, answers.length - 1)];
        fetches += 1;
        return { status: 200, body };
      },
    });
    renderApp(`/operations/${OPERATION.id}`, { session: makeSession("viewer") });
    const log = await screen.findByRole("log", { name: "Output" }, FIRST_RENDER);
    const socket = await connected();
    await waitFor(() => expect(fetches).toBe(1));

    // Chunks 1 to 3 went out before the subscription took effect: the first one seen is 4.
    output(socket, 4, verify2);

    await waitFor(() => expect(log.textContent).toBe(first + succeeded + verify1 + verify2), {
      timeout: 5000,
    });
    output(socket, 5, "verify #3: healthy\n");
    output(socket, 3, verify1);
    expect(log.textContent).toBe(first + succeeded + verify1 + verify2 + "verify #3: healthy\n");
    // Nothing is missing any more: the output is not fetched again.
    const settled = fetches;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(fetches).toBe(settled);
  });
});
