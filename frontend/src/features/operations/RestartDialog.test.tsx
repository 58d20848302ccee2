import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../../test/fakeWebSocket";
import { apiError, makeSession } from "../../test/fixtures";
import { makeOperation, operableEnvironment, startsOperation } from "../../test/operations";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const ALPHA = operableEnvironment("alpha");
const PATH = `/api/v1/environments/${ALPHA.id}`;
const OPERATION = makeOperation({ type: "restart", params: { force: true } });
const PREVIEW = {
  status: 200,
  body: {
    type: "http",
    request: {
      method: "POST",
      url: "https://alpha.example.test/restart",
      headers: { Authorization: "********" },
      body: null,
    },
  },
};

describe("Restart dialog", () => {
  it("shows the request that will run (secrets masked), then starts it and follows it live", async () => {
    const bodies: unknown[] = [];
    stubApi({
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`GET ${PATH}/commands/preview`]: (request) => {
        expect(new URL(request.url).searchParams.get("type")).toBe("restart");
        return PREVIEW;
      },
      [`POST ${PATH}/restart`]: startsOperation(OPERATION, bodies),
      [`GET /api/v1/operations/${OPERATION.id}`]: { status: 200, body: OPERATION },
    });
    const user = userEvent.setup();
    renderApp(`/environments/${ALPHA.id}`, { session: makeSession("user") });
    await user.click(await screen.findByRole("button", { name: "Restart" }, FIRST_RENDER));

    const dialog = await screen.findByRole("dialog", { name: "Restart alpha" });
    const preview = await within(dialog).findByLabelText("Command preview");
    expect(preview).toHaveTextContent("POST https://alpha.example.test/restart");
    expect(preview).toHaveTextContent("Authorization: ********");
    await user.click(within(dialog).getByRole("checkbox", { name: "Force" }));
    await user.click(within(dialog).getByRole("button", { name: "Restart" }));

    const panel = await screen.findByRole("region", { name: "Operation" });
    expect(bodies).toEqual([{ force: true }]);
    expect(within(panel).getByText("Running")).toBeInTheDocument();
    // The panel asks for the operation's output frames and shows them as they come.
    const socket = FakeWebSocket.latest();
    act(() => socket.accept());
    await waitFor(() =>
      expect(socket.frames("subscribe").map((f) => f.payload)).toContainEqual(
        expect.objectContaining({ operations: [OPERATION.id] }),
      ),
    );
    act(() =>
      socket.receive({
        type: "operation_output",
        payload: { operationId: OPERATION.id, seq: 1, stream: "stdout", chunk: "restarting\n" },
      }),
    );
    expect(within(panel).getByRole("log", { name: "Output" })).toHaveTextContent("restarting");
  });

  it("shows the server's refusal, such as another operation running", async () => {
    stubApi({
      [`GET ${PATH}`]: { status: 200, body: ALPHA },
      [`GET ${PATH}/commands/preview`]: PREVIEW,
      [`POST ${PATH}/restart`]: apiError(409, "CONFLICT", "an upgrade is already running", {
        operationId: "0000000000000000000000b2",
      }),
    });
    const user = userEvent.setup();
    renderApp(`/environments/${ALPHA.id}`, { session: makeSession("admin") });
    await user.click(await screen.findByRole("button", { name: "Restart" }, FIRST_RENDER));
    const dialog = await screen.findByRole("dialog", { name: "Restart alpha" });
    await within(dialog).findByLabelText("Command preview");
    await user.click(within(dialog).getByRole("button", { name: "Restart" }));
    expect(await within(dialog).findByText("An upgrade is already running")).toBeInTheDocument();
  });
});
