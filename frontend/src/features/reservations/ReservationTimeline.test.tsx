import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import { makeReservation } from "../../test/reservations";
import ReservationTimeline from "./ReservationTimeline";
import { timelineRange } from "./timeline";

const NOW = new Date(2026, 11, 7, 12, 0);
const DAY = timelineRange("day", NOW);
const ALPHA = { id: "env-alpha", name: "alpha" };
const BETA = { id: "env-beta", name: "beta" };
const at = (hour: number) => new Date(2026, 11, 7, hour).toISOString();
const HELD = makeReservation({
  environmentId: ALPHA.id,
  environmentName: "alpha",
  start: at(6),
  end: at(18),
  purpose: "PR 123",
});

function renderTimeline(canReserve = true) {
  const onSlot = vi.fn();
  const onBar = vi.fn();
  render(
    <ReservationTimeline
      range={DAY}
      environments={[ALPHA, BETA]}
      reservations={[HELD]}
      now={NOW}
      userId="id-bob"
      canReserve={canReserve}
      onSlot={onSlot}
      onBar={onBar}
    />,
  );
  return { onSlot, onBar };
}

describe("Reservation timeline", () => {
  it("places each reservation's bar by its times, in its environment's row", () => {
    renderTimeline();
    const alpha = screen.getByRole("group", { name: "alpha" });
    const bar = within(alpha).getByRole("button", { name: /^alpha reserved by alice · PR 123/ });
    expect(bar).toHaveTextContent("alice · PR 123");
    expect(bar.style.left).toBe("25%");
    expect(bar.style.width).toBe("50%");
    const beta = screen.getByRole("group", { name: "beta" });
    expect(within(beta).queryByRole("button", { name: /reserved by/ })).not.toBeInTheDocument();
  });

  it("marks now", () => {
    renderTimeline();
    const marker = screen.getByRole("img", { name: "Now, 12:00" });
    expect(marker.style.left).toBe("50%");
  });

  it("reserves from a free slot of the future, from now in the current hour", async () => {
    const { onSlot, onBar } = renderTimeline();
    const user = userEvent.setup();
    const beta = screen.getByRole("group", { name: "beta" });
    // The hours gone by are not offered.
    expect(within(beta).queryByRole("button", { name: "Reserve beta from 11:00" })).toBeNull();

    await user.click(within(beta).getByRole("button", { name: "Reserve beta from 15:00" }));
    expect(onSlot).toHaveBeenCalledWith(BETA, new Date(2026, 11, 7, 15));
    await user.click(within(beta).getByRole("button", { name: "Reserve beta from now" }));
    expect(onSlot).toHaveBeenLastCalledWith(BETA, null);

    await user.click(screen.getByRole("button", { name: /reserved by alice/ }));
    expect(onBar).toHaveBeenCalledWith(HELD);
  });

  it("moves along a row's slots with the arrow keys, one tab stop per row", async () => {
    renderTimeline();
    const user = userEvent.setup();
    const alpha = screen.getByRole("group", { name: "alpha" });
    const now = within(alpha).getByRole("button", { name: "Reserve alpha from now" });
    const next = within(alpha).getByRole("button", { name: "Reserve alpha from 13:00" });
    expect(now).toHaveAttribute("tabindex", "0");
    expect(next).toHaveAttribute("tabindex", "-1");

    now.focus();
    await user.keyboard("{ArrowRight}");
    expect(next).toHaveFocus();
    await user.keyboard("{End}");
    expect(within(alpha).getByRole("button", { name: "Reserve alpha from 23:00" })).toHaveFocus();
    await user.keyboard("{Home}");
    expect(now).toHaveFocus();
  });

  it("offers no slot to a reader who may not reserve", () => {
    renderTimeline(false);
    expect(screen.queryByRole("button", { name: /^Reserve/ })).not.toBeInTheDocument();
  });
});
