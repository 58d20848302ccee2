import {
  describeCron,
  describeSchedule,
  formatMinutes,
  fromLocalInput,
  scopeCovers,
  timeZones,
  toLocalInput,
  windowsCovering,
} from "./schedule";

describe("maintenance schedules in words", () => {
  it("reads cron expressions in 24-hour time", () => {
    expect(describeCron("30 2 * * *")).toBe("At 02:30");
    expect(describeCron("0 22 * * 1-5")).toBe("At 22:00, Monday through Friday");
  });

  it("gives an unreadable cron expression back as it is", () => {
    expect(describeCron("not a cron")).toBe("not a cron");
  });

  it("says how long a window lasts", () => {
    expect(formatMinutes(45)).toBe("45 min");
    expect(formatMinutes(90)).toBe("1 h 30 min");
    expect(formatMinutes(2880)).toBe("2 d");
    expect(
      describeSchedule({
        kind: "recurring",
        cron: "0 3 * * 0",
        durationMinutes: 120,
        timezone: "UTC",
      }),
    ).toBe("At 03:00, only on Sunday, for 2 h");
  });
});

describe("local date-times", () => {
  it("round-trips an instant through the datetime-local input", () => {
    const instant = "2026-05-01T22:00:00.000Z";
    expect(fromLocalInput(toLocalInput(instant))).toBe(instant);
  });

  it("reads an empty or invalid input as no instant", () => {
    expect(fromLocalInput("")).toBeNull();
    expect(fromLocalInput("tomorrow")).toBeNull();
    expect(toLocalInput(null)).toBe("");
  });

  it("offers UTC among the time zones", () => {
    expect(timeZones()).toContain("UTC");
    expect(timeZones()).toContain("Europe/Berlin");
  });
});

describe("which environments a window covers", () => {
  const scope = { environmentIds: ["a".repeat(24)], tags: ["prod"] };

  it("covers an environment by id or by a shared tag", () => {
    expect(scopeCovers(scope, { id: "a".repeat(24), tags: [] })).toBe(true);
    expect(scopeCovers(scope, { id: "b".repeat(24), tags: ["web", "prod"] })).toBe(true);
    expect(scopeCovers(scope, { id: "b".repeat(24), tags: ["web"] })).toBe(false);
    expect(scopeCovers({ tags: [] }, { id: "b".repeat(24) })).toBe(false);
  });

  it("keeps only the running windows that cover it", () => {
    const window = { id: "1", name: "n", reason: "", start: "", end: "", scope };
    expect(windowsCovering([window], { id: "c".repeat(24), tags: ["prod"] })).toEqual([window]);
    expect(windowsCovering(undefined, { id: "c".repeat(24) })).toEqual([]);
  });
});
