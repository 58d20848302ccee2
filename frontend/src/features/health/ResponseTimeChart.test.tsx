import { render, screen, within } from "@testing-library/react";

import ResponseTimeChart from "./ResponseTimeChart";
import type { HealthPoint } from "./types";

const MINUTE = 60_000;
const START = Date.UTC(2026, 11, 7, 14, 0);

function point(n: number, healthyChecks: number, avg: number | null): HealthPoint {
  return {
    timestamp: new Date(START + n * MINUTE).toISOString(),
    checks: 5,
    healthyChecks,
    responseTimeAvg: avg,
    responseTimeMax: avg === null ? null : avg + 50,
  };
}

const at = (n: number) =>
  new Date(START + n * MINUTE).toLocaleString("en-GB", { hour: "2-digit", minute: "2-digit" });

describe("ResponseTimeChart", () => {
  it("lists the ranges where checks failed, down or degraded", () => {
    render(
      <ResponseTimeChart
        range="1h"
        bucketSeconds={60}
        points={[
          point(0, 5, 100),
          point(1, 0, null),
          point(2, 0, null),
          point(3, 5, 120),
          point(4, 3, 400),
          point(5, 5, 110),
        ]}
      />,
    );

    expect(screen.getByRole("figure", { name: "Response time" })).toHaveAttribute(
      "data-points",
      "4",
    );
    const items = within(screen.getByRole("region", { name: "Downtime" })).getAllByRole(
      "listitem",
    );
    expect(items.map((item) => item.textContent)).toEqual([
      `${at(1)}–${at(3)}, down (10 of 10 checks unhealthy)`,
      `${at(4)}–${at(5)}, degraded (2 of 5 checks unhealthy)`,
    ]);
  });

  it("says when no check failed", () => {
    render(<ResponseTimeChart range="24h" bucketSeconds={300} points={[point(0, 5, 100)]} />);

    expect(screen.getByText("No failed checks in the last 24 hours.")).toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Downtime" })).not.toBeInTheDocument();
  });

  it("says so when the range has no data yet", () => {
    render(<ResponseTimeChart range="7d" bucketSeconds={3600} points={[]} />);

    expect(screen.getByText("No checks in the last 7 days yet.")).toBeInTheDocument();
    expect(screen.getByText("The chart fills in as health checks run.")).toBeInTheDocument();
    expect(screen.queryByRole("figure", { name: "Response time" })).not.toBeInTheDocument();
  });

  it("draws a range where every check failed, though none has a response time", () => {
    render(
      <ResponseTimeChart range="1h" bucketSeconds={60} points={[point(0, 0, null)]} />,
    );

    expect(screen.getByRole("figure", { name: "Response time" })).toHaveAttribute(
      "data-points",
      "0",
    );
    expect(screen.getByRole("region", { name: "Downtime" })).toHaveTextContent(/down \(5 of 5/);
  });
});
