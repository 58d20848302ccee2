import { makeReservation } from "../../test/reservations";
import { formatMoment, reservationLabel } from "./reservationText";

// Local times: the label is read in the reader's time zone, whatever the machine's is.
const NOW = new Date(2026, 11, 7, 10, 0);
const FIVE_PM = new Date(2026, 11, 7, 17, 0).toISOString();

describe("reservationLabel", () => {
  it("names the holder, the end as a time of today and the purpose", () => {
    const reservation = makeReservation({ end: FIVE_PM, purpose: "PR 123" });
    expect(reservationLabel(reservation, NOW)).toBe("Reserved by alice until 17:00 · PR 123");
  });

  it("gives the day of an end that is not today", () => {
    const end = new Date(2026, 11, 8, 9, 30).toISOString();
    expect(reservationLabel(makeReservation({ end, purpose: "" }), NOW)).toBe(
      "Reserved by alice until Tue 8 Dec, 09:30",
    );
  });

  it("says Free when nobody holds the environment", () => {
    expect(reservationLabel(null, NOW)).toBe("Free");
  });

  it("formats a moment of today as its time only", () => {
    expect(formatMoment(FIVE_PM, NOW)).toBe("17:00");
  });
});
