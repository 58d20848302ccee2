import { responseTimeAxis } from "./axisTicks";

function labels(maxMs: number): string[] {
  const axis = responseTimeAxis(maxMs);
  return axis.ticks.map(axis.format);
}

describe("responseTimeAxis", () => {
  it.each([0.4, 3, 7, 48, 120, 999, 1040, 1400, 2600, 12_345, 61_000])(
    "labels every tick differently up to %s ms",
    (maxMs) => {
      const all = labels(maxMs);
      expect(new Set(all).size).toBe(all.length);
      expect(responseTimeAxis(maxMs).max).toBeGreaterThanOrEqual(maxMs);
    },
  );

  it("counts in round steps from 0 in ms below a second", () => {
    expect(labels(120)).toEqual(["0 ms", "50 ms", "100 ms", "150 ms"]);
    expect(labels(3)).toEqual(["0 ms", "1 ms", "2 ms", "3 ms"]);
    expect(labels(0.4)).toEqual(["0.0 ms", "0.1 ms", "0.2 ms", "0.3 ms", "0.4 ms"]);
  });

  it("counts in seconds with as many decimals as the step needs", () => {
    expect(labels(1400)).toEqual(["0.0 s", "0.5 s", "1.0 s", "1.5 s"]);
    expect(labels(2600)).toEqual(["0 s", "1 s", "2 s", "3 s"]);
    expect(labels(1040)).toEqual(["0.0 s", "0.5 s", "1.0 s", "1.5 s"]);
    expect(labels(900)).toEqual(["0.00 s", "0.25 s", "0.50 s", "0.75 s", "1.00 s"]);
  });

  it("has an axis even without any figure", () => {
    expect(labels(0)).toEqual(["0.00 ms", "0.25 ms", "0.50 ms", "0.75 ms", "1.00 ms"]);
  });
});
