import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import {
  environmentList,
  makeEnvironment,
  makeSession,
  NO_ENVIRONMENTS,
  onePage,
} from "../test/fixtures";
import { renderApp, stubApi } from "../test/renderApp";
import { makeReservation } from "../test/reservations";

afterEach(() => {
  vi.unstubAllGlobals();
});

const FIRST_RENDER = { timeout: 10_000 };
const USER = makeSession("user");
const ALPHA = makeEnvironment("alpha");
const BETA = makeEnvironment("beta");
const UNUSED = makeEnvironment("gamma", { reservationPolicy: "none" });
const HELD = makeReservation({ environmentId: ALPHA.id, environmentName: "alpha" });

function stubPage(asked: URLSearchParams[] = []) {
  stubApi({
    ...NO_ENVIRONMENTS,
    "GET /api/v1/environments": environmentList([ALPHA, BETA, UNUSED]),
    "GET /api/v1/reservations": (request) => {
      asked.push(new URL(request.url).searchParams);
      return onePage("items", [HELD], 200);
    },
  });
  return asked;
}

describe("Reservations page", () => {
  it("is in the navigation and shows today's reservations of environments using them", async () => {
    const asked = stubPage();
    renderApp("/reservations", { session: makeSession("viewer") });

    const alpha = await screen.findByRole("group", { name: "alpha" }, FIRST_RENDER);
    const nav = screen.getByRole("navigation", { name: "Main" });
    expect(within(nav).getByRole("link", { name: "Reservations" })).toHaveAttribute(
      "href",
      "/reservations",
    );
    expect(
      within(alpha).getByRole("button", { name: /alpha reserved by alice · PR 123/ }),
    ).toBeInTheDocument();
    expect(screen.getByRole("group", { name: "beta" })).toBeInTheDocument();
    expect(screen.queryByRole("group", { name: "gamma" })).not.toBeInTheDocument();
    const day = asked[0]!;
    const hours = (Date.parse(day.get("to")!) - Date.parse(day.get("from")!)) / 3_600_000;
    expect(hours).toBeGreaterThanOrEqual(23);
    // A viewer sees; there is nothing to click to reserve.
    expect(screen.queryByRole("button", { name: /^Reserve beta from/ })).not.toBeInTheDocument();
  });

  it("shows a week, and only the reader's reservations when asked", async () => {
    const asked = stubPage();
    renderApp("/reservations", { session: USER });
    const user = userEvent.setup();
    await screen.findByRole("group", { name: "alpha" }, FIRST_RENDER);

    await user.click(screen.getByRole("button", { name: "Week" }));
    await waitFor(() => {
      const last = asked.at(-1)!;
      const days = (Date.parse(last.get("to")!) - Date.parse(last.get("from")!)) / 86_400_000;
      expect(Math.round(days)).toBe(7);
    });
    await user.click(screen.getByRole("switch", { name: "My reservations" }));
    await waitFor(() => expect(asked.at(-1)!.get("holder")).toBe(USER.user.id));
  });

  it("opens the reserve dialog from a free slot", async () => {
    stubPage();
    renderApp("/reservations", { session: USER });
    const user = userEvent.setup();
    const beta = await screen.findByRole("group", { name: "beta" }, FIRST_RENDER);

    await user.click(within(beta).getByRole("button", { name: "Reserve beta from now" }));

    const dialog = await screen.findByRole("dialog", { name: "Reserve beta" });
    expect(within(dialog).getByLabelText("Purpose")).toHaveFocus();
  });
});
