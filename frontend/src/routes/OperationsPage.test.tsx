import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../test/fakeWebSocket";
import { environmentList, makeEnvironment, makeSession, onePage } from "../test/fixtures";
import { makeOperation } from "../test/operations";
import { renderApp, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const SHOP = makeEnvironment("shop", { id: "00000000000000000000000e" });
const RUNNING = makeOperation({
  id: "0000000000000000000000a1",
  environmentId: SHOP.id,
  environmentName: "shop",
});
const DONE = makeOperation({
  id: "0000000000000000000000a2",
  environmentId: SHOP.id,
  environmentName: "shop",
  type: "restart",
  status: "succeeded",
  params: { force: false },
  durationMs: 4_000,
});

function page(operations = [RUNNING, DONE]) {
  return onePage("operations", operations);
}

function listQueries(fetchMock: ReturnType<typeof stubApi>): Record<string, string>[] {
  return fetchMock.mock.calls
    .map(([request]) => new URL(request.url))
    .filter((url) => url.pathname === "/api/v1/operations")
    .map((url) => Object.fromEntries(url.searchParams));
}

const COMMON = {
  "GET /api/v1/environments": environmentList([SHOP]),
  [`GET /api/v1/environments/${SHOP.id}`]: { status: 200, body: SHOP },
  "GET /api/v1/users": onePage("users", []),
};

describe("Operations page", () => {
  it("is in the navigation and lists operations, newest first", async () => {
    stubApi({ ...COMMON, "GET /api/v1/operations": page() });
    renderApp("/operations", { session: makeSession("viewer") });
    const table = await screen.findByRole("table", { name: "Operations" }, FIRST_RENDER);
    const rows = within(table).getAllByRole("row");
    expect(rows[1]).toHaveTextContent(/shop\s*Upgrade\s*2\.4\.0 → 2\.5\.0\s*Running\s*ada/);
    expect(rows[2]).toHaveTextContent(/shop\s*Restart.*Succeeded\s*ada\s*0:04/);
    expect(screen.getByRole("link", { name: "Operations" })).toHaveAttribute(
      "aria-current",
      "page",
    );
  });

  it("reads its filters from the address and asks the server for them", async () => {
    const fetchMock = stubApi({ ...COMMON, "GET /api/v1/operations": page([DONE]) });
    renderApp(`/operations?environment=${SHOP.id}&type=restart&status=succeeded&page=2`, {
      session: makeSession("admin"),
    });
    await screen.findByRole("table", { name: "Operations" }, FIRST_RENDER);
    expect(listQueries(fetchMock)[0]).toEqual({
      page: "2",
      limit: "20",
      environmentId: SHOP.id,
      type: "restart",
      status: "succeeded",
    });
  });

  it("puts a chosen filter in the address and starts again at page one", async () => {
    const fetchMock = stubApi({ ...COMMON, "GET /api/v1/operations": page() });
    const user = userEvent.setup();
    const { router } = renderApp("/operations?page=3", { session: makeSession("admin") });
    await screen.findByRole("table", { name: "Operations" }, FIRST_RENDER);

    await user.click(screen.getByRole("combobox", { name: "Status" }));
    await user.click(await screen.findByRole("option", { name: "Failed" }));

    await waitFor(() => expect(router.state.location.search).toBe("?status=failed"));
    await waitFor(() =>
      expect(listQueries(fetchMock).at(-1)).toEqual({ page: "1", limit: "20", status: "failed" }),
    );
  });

  it("updates a row live when its operation changes", async () => {
    let stored = [RUNNING, DONE];
    stubApi({ ...COMMON, "GET /api/v1/operations": () => page(stored) });
    renderApp("/operations", { session: makeSession("viewer") });
    const table = await screen.findByRole("table", { name: "Operations" }, FIRST_RENDER);
    await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(0));
    const socket = FakeWebSocket.latest();
    act(() => socket.accept());

    const finished = { ...RUNNING, status: "succeeded" as const, durationMs: 9_000 };
    stored = [finished, DONE];
    const { output: _left, ...frame } = finished;
    act(() => socket.receive({ type: "operation_update", payload: { operation: frame } }));

    const row = within(table).getAllByRole("row")[1] as HTMLElement;
    expect(await within(row).findByText("Succeeded")).toBeInTheDocument();
    expect(row).toHaveTextContent("0:09");
  });

  it("opens an operation's panel from its row", async () => {
    stubApi({
      ...COMMON,
      "GET /api/v1/operations": page(),
      [`GET /api/v1/operations/${DONE.id}`]: { status: 200, body: { ...DONE, output: "ok\n" } },
    });
    const user = userEvent.setup();
    renderApp("/operations", { session: makeSession("viewer") });
    await user.click(
      await screen.findByRole("button", { name: "Open the restart of shop" }, FIRST_RENDER),
    );
    const dialog = await screen.findByRole("dialog", { name: "Operation" });
    expect(await within(dialog).findByRole("log", { name: "Output" })).toHaveTextContent("ok");
  });
});

describe("The Operations tab of an environment", () => {
  it("lists that environment's operations", async () => {
    const fetchMock = stubApi({ ...COMMON, "GET /api/v1/operations": page([DONE]) });
    renderApp(`/environments/${SHOP.id}?tab=operations`, { session: makeSession("viewer") });
    expect(
      await screen.findByRole("tab", { name: "Operations", selected: true }, FIRST_RENDER),
    ).toBeInTheDocument();
    await screen.findByRole("table", { name: "Operations" });
    expect(listQueries(fetchMock)[0]).toMatchObject({ environmentId: SHOP.id });
    expect(screen.queryByRole("columnheader", { name: "Environment" })).not.toBeInTheDocument();
  });
});
