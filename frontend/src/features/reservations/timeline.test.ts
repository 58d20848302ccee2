import { makeReservation } from "../../test/reservations";
import { barOf, nowPosition, shiftAnchor, timelineRange } from "./timeline";

// Local times: the timeline is laid out in the reader's time zone.
const MONDAY_NOON = new Date(2026, 11, 7, 12, 0);

describe("timelineRange", () => {
  it("spans the local day, an hour per column and per slot", () => {
    const range = timelineRange("day", MONDAY_NOON);
    expect(range.from).toEqual(new Date(2026, 11, 7));
    expect(range.to).toEqual(new Date(2026, 11, 8));
    expect(range.columns).toHaveLength(24);
    expect(range.slots[9]?.start).toEqual(new Date(2026, 11, 7, 9));
  });

  it("spans the week from Monday, a day per column and four slots a day", () => {
    const range = timelineRange("week", new Date(2026, 11, 10, 8, 0));
    expect(range.from).toEqual(new Date(2026, 11, 7));
    expect(range.to).toEqual(new Date(2026, 11, 14));
    expect(range.columns).toHaveLength(7);
    expect(range.slots).toHaveLength(28);
    expect(range.slots[5]?.start).toEqual(new Date(2026, 11, 8, 6));
  });

  it("steps a day or a week", () => {
    expect(shiftAnchor("day", MONDAY_NOON, -1)).toEqual(new Date(2026, 11, 6));
    expect(shiftAnchor("week", MONDAY_NOON, 1)).toEqual(new Date(2026, 11, 14));
  });
});

describe("barOf", () => {
  const day = timelineRange("day", MONDAY_NOON);
  const at = (hour: number, plusDays = 0) => new Date(2026, 11, 7 + plusDays, hour).toISOString();

  it("places a bar by its start and end", () => {
    const bar = barOf(makeReservation({ start: at(6), end: at(12) }), day);
    expect(bar?.left).toBeCloseTo(25);
    expect(bar?.width).toBeCloseTo(25);
  });

  it("cuts a bar to the range, and leaves out one outside it", () => {
    const bar = barOf(makeReservation({ start: at(18, -1), end: at(6) }), day);
    expect(bar?.left).toBe(0);
    expect(bar?.width).toBeCloseTo(25);
    expect(barOf(makeReservation({ start: at(1, 1), end: at(2, 1) }), day)).toBeNull();
  });

  it("ends a released reservation where it was released", () => {
    const released = makeReservation({
      start: at(6),
      end: at(18),
      releasedAt: at(9),
      status: "released",
    });
    expect(barOf(released, day)?.width).toBeCloseTo(12.5);
  });
});

describe("nowPosition", () => {
  it("marks now in the range, and nowhere outside it", () => {
    const day = timelineRange("day", MONDAY_NOON);
    expect(nowPosition(new Date(2026, 11, 7, 18), day)).toBeCloseTo(75);
    expect(nowPosition(new Date(2026, 11, 8, 1), day)).toBeNull();
  });
});
