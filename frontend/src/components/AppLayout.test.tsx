import { act, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { FakeWebSocket } from "../test/fakeWebSocket";
import { makeSession, onePage } from "../test/fixtures";
import { renderApp, stubApi } from "../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const NOT_ANSWERING = /The Envdeck server is not answering/;

function showTokens() {
  stubApi({ "GET /api/v1/tokens": onePage("tokens", []) });
  return renderApp("/tokens", { session: makeSession("user") });
}

/** The live connection's next socket, once the client has opened it. */
async function nextSocket(after: number): Promise<FakeWebSocket> {
  await waitFor(() => expect(FakeWebSocket.instances.length).toBeGreaterThan(after));
  return FakeWebSocket.latest();
}

describe("The app's layout", () => {
  it("has a skip link first that moves the focus to the page's content", async () => {
    const { router } = showTokens();
    await screen.findByRole("heading", { level: 1, name: "API tokens" }, FIRST_RENDER);
    const user = userEvent.setup();

    await user.tab();
    const skip = screen.getByRole("link", { name: "Skip to content" });
    expect(skip).toHaveFocus();
    await user.keyboard("{Enter}");

    expect(screen.getByRole("main")).toHaveFocus();
    expect(router.state.location).toMatchObject({ pathname: "/tokens", hash: "" });
  });

  it("gives the focus back to the button that opened a dialog when it closes", async () => {
    showTokens();
    const user = userEvent.setup();
    const create = await screen.findByRole("button", { name: "Create token" }, FIRST_RENDER);

    await user.click(create);
    const dialog = await screen.findByRole("dialog", { name: "Create API token" });
    await user.keyboard("{Escape}");

    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    expect(create).toHaveFocus();
  });

  it("shows a banner while the server does not answer, gone once it is back", async () => {
    showTokens();
    await screen.findByRole("heading", { level: 1, name: "API tokens" }, FIRST_RENDER);
    const first = await nextSocket(0);
    act(() => first.accept());

    // One dropped connection is routine: the icon says so, no banner yet.
    act(() => first.serverClose(1006));
    const second = await nextSocket(1);
    expect(screen.queryByText(NOT_ANSWERING)).not.toBeInTheDocument();
    act(() => second.serverClose(1006));

    const banner = await screen.findByRole("alert", { name: "Connection" });
    expect(banner).toHaveTextContent(NOT_ANSWERING);
    await userEvent.setup().click(screen.getByRole("button", { name: "Retry now" }));
    const third = await nextSocket(2);
    act(() => third.accept());
    await waitFor(() => expect(screen.queryByText(NOT_ANSWERING)).not.toBeInTheDocument());
  });
});
