import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { apiError, environmentList, makeSession, NO_ENVIRONMENTS } from "../../test/fixtures";
import { renderApp, stubApi } from "../../test/renderApp";
import { makeReservation, reservedEnvironment } from "../../test/reservations";
import { reservationLabel } from "./reservationText";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const USER = makeSession("user");
const HELD = makeReservation({ environmentName: "alpha" });
const ALPHA = reservedEnvironment("alpha", HELD);
const BETA = reservedEnvironment("beta", null);
const RESERVE_PATH = `/api/v1/environments/${BETA.id}/reservations`;

function dashboard(extra: Parameters<typeof stubApi>[0] = {}) {
  return stubApi({
    ...NO_ENVIRONMENTS,
    "GET /api/v1/environments": environmentList([ALPHA, BETA]),
    ...extra,
  });
}

async function openReserveDialog() {
  const user = userEvent.setup();
  renderApp("/environments", { session: USER });
  const card = await screen.findByRole("article", { name: "beta" }, FIRST_RENDER);
  await user.click(within(card).getByRole("button", { name: "Reserve" }));
  const dialog = await screen.findByRole("dialog", { name: "Reserve beta" });
  return { user, dialog };
}

describe("Reservation on a card", () => {
  it("names the holder, the end and the purpose, or says Free", async () => {
    dashboard();
    renderApp("/environments", { session: makeSession("viewer") });

    const alpha = await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    expect(within(alpha).getByText(reservationLabel(HELD))).toBeInTheDocument();
    expect(within(alpha).getByText(/^Reserved by alice until .* · PR 123$/)).toBeInTheDocument();
    const beta = screen.getByRole("article", { name: "beta" });
    expect(within(beta).getByText("Free")).toBeInTheDocument();
    // Viewers see reservations but make none.
    expect(screen.queryByRole("button", { name: "Reserve" })).not.toBeInTheDocument();
  });

  it("offers the holder extend and release, not break", async () => {
    dashboard();
    const holder = makeSession("user");
    holder.user = { ...holder.user, id: "id-alice", username: "alice" };
    renderApp("/environments", { session: holder });

    const alpha = await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    expect(within(alpha).getByRole("button", { name: "Extend" })).toBeInTheDocument();
    expect(within(alpha).getByRole("button", { name: "Release" })).toBeInTheDocument();
    expect(within(alpha).queryByRole("button", { name: "Break" })).not.toBeInTheDocument();
  });

  it("shows nothing of reservations on an environment that does not use them", async () => {
    const unused = { ...BETA, reservationPolicy: "none" as const };
    dashboard({ "GET /api/v1/environments": environmentList([unused]) });
    renderApp("/environments", { session: USER });

    const beta = await screen.findByRole("article", { name: "beta" }, FIRST_RENDER);
    expect(within(beta).queryByText("Free")).not.toBeInTheDocument();
    expect(within(beta).queryByRole("button", { name: "Reserve" })).not.toBeInTheDocument();
  });
});

describe("Free now filter", () => {
  it("asks the server for the environments nobody holds now", async () => {
    const asked: (string | null)[] = [];
    dashboard({
      "GET /api/v1/environments": (request) => {
        asked.push(new URL(request.url).searchParams.get("available"));
        return environmentList([ALPHA, BETA]);
      },
    });
    const user = userEvent.setup();
    renderApp("/environments", { session: USER });
    await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);

    await user.click(screen.getByRole("switch", { name: "Free now" }));

    await waitFor(() => expect(asked).toEqual([null, "true"]));
  });
});

describe("Reserve dialog", () => {
  it("asks for a purpose and an end after the start", async () => {
    const fetchMock = dashboard();
    const { user, dialog } = await openReserveDialog();

    await user.click(within(dialog).getByRole("button", { name: "Reserve" }));
    expect(await within(dialog).findByText("Say what it is for")).toBeInTheDocument();

    await user.type(within(dialog).getByLabelText("Purpose"), "PR 7");
    await user.click(within(dialog).getByRole("combobox", { name: "For" }));
    await user.click(await screen.findByRole("option", { name: "Until a time I pick" }));
    const end = within(dialog).getByLabelText("Ends");
    await user.clear(end);
    await user.type(end, "2020-01-01T10:00");
    await user.click(within(dialog).getByRole("button", { name: "Reserve" }));
    expect(await within(dialog).findByText("The end must be after the start")).toBeInTheDocument();
    expect(fetchMock.mock.calls.some(([r]) => r.method === "POST")).toBe(false);
  });

  it("sends the purpose and the end of the chosen length", async () => {
    const bodies: unknown[] = [];
    dashboard({
      [`POST ${RESERVE_PATH}`]: async (request) => {
        bodies.push(await request.json());
        return { status: 201, body: makeReservation({ environmentId: BETA.id }) };
      },
    });
    const { user, dialog } = await openReserveDialog();

    await user.type(within(dialog).getByLabelText("Purpose"), "PR 7");
    const before = Date.now();
    await user.click(within(dialog).getByRole("button", { name: "Reserve" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.getByText("Reserved beta.")).toBeInTheDocument();
    const body = bodies[0] as { purpose: string; end: string };
    expect(body.purpose).toBe("PR 7");
    const hours = (Date.parse(body.end) - before) / 3_600_000;
    expect(hours).toBeGreaterThan(1.99);
    expect(hours).toBeLessThan(2.01);
  });

  it("shows the server's refusal when someone else holds it", async () => {
    const message = "beta is reserved by bob until 17:00";
    dashboard({ [`POST ${RESERVE_PATH}`]: apiError(409, "RESERVED", message) });
    const { user, dialog } = await openReserveDialog();

    await user.type(within(dialog).getByLabelText("Purpose"), "PR 7");
    await user.click(within(dialog).getByRole("button", { name: "Reserve" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Beta is reserved by bob until 17:00",
    );
    expect(screen.getByRole("dialog", { name: "Reserve beta" })).toBeInTheDocument();
  });
});

describe("Extend and break", () => {
  it("extends the holder's reservation from its current end", async () => {
    const bodies: unknown[] = [];
    dashboard({
      [`PATCH /api/v1/reservations/${HELD.id}`]: async (request) => {
        bodies.push(await request.json());
        return { status: 200, body: HELD };
      },
    });
    const holder = makeSession("user");
    holder.user = { ...holder.user, id: "id-alice", username: "alice" };
    renderApp("/environments", { session: holder });
    const user = userEvent.setup();
    const alpha = await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);

    await user.click(within(alpha).getByRole("button", { name: "Extend" }));
    const dialog = await screen.findByRole("dialog", { name: "Extend the reservation of alpha" });
    expect(within(dialog).getByRole("combobox", { name: "Extend by" })).toHaveTextContent("1 hour");
    await user.click(within(dialog).getByRole("button", { name: "Extend" }));

    await waitFor(() => expect(bodies).toHaveLength(1));
    expect(await screen.findByText("Extended the reservation of alpha.")).toBeInTheDocument();
    const { end } = bodies[0] as { end: string };
    expect(Date.parse(end) - Date.parse(HELD.end)).toBe(3_600_000);
  });

  it("lets an admin break someone else's reservation, saying why", async () => {
    const bodies: unknown[] = [];
    dashboard({
      [`POST /api/v1/reservations/${HELD.id}/break`]: async (request) => {
        bodies.push(await request.json());
        return { status: 200, body: { ...HELD, status: "broken" } };
      },
    });
    renderApp("/environments", { session: makeSession("admin") });
    const user = userEvent.setup();
    const alpha = await screen.findByRole("article", { name: "alpha" }, FIRST_RENDER);
    expect(within(alpha).queryByRole("button", { name: "Release" })).not.toBeInTheDocument();

    await user.click(within(alpha).getByRole("button", { name: "Break" }));
    const dialog = await screen.findByRole("dialog", { name: "Break the reservation of alpha" });
    await user.click(within(dialog).getByRole("button", { name: "Break reservation" }));
    expect(await within(dialog).findByText("Say why")).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("Reason"), "hotfix needs it");
    await user.click(within(dialog).getByRole("button", { name: "Break reservation" }));

    await waitFor(() => expect(bodies).toEqual([{ reason: "hotfix needs it" }]));
    expect(await screen.findByText("Broke the reservation of alpha.")).toBeInTheDocument();
  });
});
