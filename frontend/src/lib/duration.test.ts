import { formatDuration, formatResponseTime, formatUptime } from "./duration";

describe("formatDuration", () => {
  it("gives the largest whole unit", () => {
    expect(formatDuration(0)).toBe("0 s");
    expect(formatDuration(45_000)).toBe("45 s");
    expect(formatDuration(5 * 60_000 + 59_000)).toBe("5 m");
    expect(formatDuration(2 * 3_600_000 + 10 * 60_000)).toBe("2 h");
    expect(formatDuration(3 * 86_400_000)).toBe("3 d");
  });

  it("never shows a negative duration (a clock a little ahead of the server's)", () => {
    expect(formatDuration(-5_000)).toBe("0 s");
  });
});

describe("formatResponseTime and formatUptime", () => {
  it("reads response times in ms below a second, in seconds above", () => {
    expect(formatResponseTime(84.6)).toBe("85 ms");
    expect(formatResponseTime(1_234)).toBe("1.2 s");
    expect(formatResponseTime(null)).toBe("—");
  });

  it("never rounds an uptime up to 100 %", () => {
    expect(formatUptime(100)).toBe("100 %");
    expect(formatUptime(99.999)).toBe("99.99 %");
    expect(formatUptime(50)).toBe("50.00 %");
    expect(formatUptime(null)).toBe("—");
  });
});
