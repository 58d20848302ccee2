import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { makeEnvironment, makeSession } from "../../test/fixtures";
import { renderApp, stubApi } from "../../test/renderApp";

afterEach(() => {
  vi.unstubAllGlobals();
});

// The whole form renders at each change: slow on a busy machine.
vi.setConfig({ testTimeout: 60_000 });

const QA = makeEnvironment("qa-3", { reservationPolicy: "exclusive" });
const PATH = `/api/v1/environments/${QA.id}`;

describe("Reservation policy in the environment form", () => {
  it("shows the policy with a line on what it means, and sends the one chosen", async () => {
    const sent: Record<string, unknown>[] = [];
    stubApi({
      "GET /api/v1/credentials": { status: 200, body: { credentials: [], pagination: {} } },
      [`GET ${PATH}`]: { status: 200, body: QA },
      [`PUT ${PATH}`]: async (request) => {
        sent.push((await request.json()) as Record<string, unknown>);
        return { status: 200, body: QA };
      },
    });
    renderApp(`/environments/${QA.id}/edit`, { session: makeSession("admin") });
    const user = userEvent.setup();

    const policy = await screen.findByRole(
      "combobox",
      { name: "Reservations" },
      { timeout: 10_000 },
    );
    expect(policy).toHaveTextContent("Exclusive");
    expect(policy).toHaveAccessibleDescription(/only the holder restarts or upgrades it/);
    await user.click(policy);
    await user.click(await screen.findByRole("option", { name: "Advisory" }));
    expect(policy).toHaveAccessibleDescription(/run with a warning/);
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(sent).toHaveLength(1));
    expect(sent[0]).toMatchObject({ reservationPolicy: "advisory" });
  });
});
