import { act, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";

import Sparkline from "./Sparkline";
import { publishSharedMax, SPARKLINE_SCALE_KEY } from "./sparklineScale";
import SparklineScaleToggle from "./SparklineScaleToggle";
import type { HealthPoint } from "./types";

const BUCKET = 120_000;
const START = Date.UTC(2026, 11, 7, 14, 0);

function point(n: number, healthyChecks: number, avg: number | null, max = avg): HealthPoint {
  return {
    timestamp: new Date(START + n * BUCKET).toISOString(),
    checks: 12,
    healthyChecks,
    responseTimeAvg: avg,
    responseTimeMax: max,
  };
}

const LABEL = "Response times of shop over the last hour";

afterEach(() => {
  localStorage.clear();
  act(() => publishSharedMax(null));
});

describe("Sparkline", () => {
  it("shows the latest and slowest figures beside the line", () => {
    render(
      <Sparkline
        points={[point(0, 12, 120, 180), point(1, 12, 95, 2400), point(2, 12, 80, 110)]}
        health="healthy"
        label={LABEL}
      />,
    );

    expect(screen.getByRole("img", { name: LABEL })).toHaveAttribute("data-points", "3");
    expect(screen.getByText("now 80 ms")).toBeInTheDocument();
    expect(screen.getByText("max 2.4 s")).toBeInTheDocument();
    expect(screen.queryByText(/failing/)).not.toBeInTheDocument();
  });

  it("shades the time checks failed and says how long", () => {
    render(
      <Sparkline
        points={[point(0, 12, 100), point(1, 0, null), point(2, 0, null), point(3, 6, 300)]}
        health="unhealthy"
        label={LABEL}
      />,
    );

    // Buckets 1 to 3 in a row: one shaded range of three 2-minute buckets.
    expect(screen.getByRole("img", { name: LABEL })).toHaveAttribute("data-downtime", "1");
    expect(screen.getByText("6 min failing")).toBeInTheDocument();
    expect(screen.getByText("now 300 ms")).toBeInTheDocument();
  });

  it("says so when the hour has no checks yet, and nothing while loading", () => {
    const { rerender } = render(<Sparkline points={undefined} health="unknown" label={LABEL} />);
    expect(screen.queryByText("No checks in the last hour yet")).not.toBeInTheDocument();

    rerender(<Sparkline points={[]} health="unknown" label={LABEL} />);

    expect(screen.getByText("No checks in the last hour yet")).toBeInTheDocument();
    expect(screen.getByRole("img", { name: LABEL })).toHaveAttribute("data-points", "0");
  });
});

describe("The sparklines' shared scale", () => {
  it("is off until chosen, then draws every card from 0 to the slowest on screen", async () => {
    act(() => publishSharedMax(900));
    render(
      <>
        <SparklineScaleToggle />
        <Sparkline points={[point(0, 12, 120), point(1, 12, 80)]} health="healthy" label={LABEL} />
      </>,
    );
    const line = screen.getByRole("img", { name: LABEL });
    const toggle = screen.getByRole("button", { name: "Same scale" });
    expect(toggle).toHaveAttribute("aria-pressed", "false");
    expect(line).not.toHaveAttribute("data-scale-max");

    await userEvent.setup().click(toggle);

    expect(toggle).toHaveAttribute("aria-pressed", "true");
    expect(localStorage.getItem(SPARKLINE_SCALE_KEY)).toBe("shared");
    expect(line).toHaveAttribute("data-scale-max", "900");
    act(() => publishSharedMax(1500));
    expect(line).toHaveAttribute("data-scale-max", "1500");
  });

  it("is remembered in this browser", () => {
    localStorage.setItem(SPARKLINE_SCALE_KEY, "shared");
    act(() => publishSharedMax(300));

    render(<Sparkline points={[point(0, 12, 120)]} health="healthy" label={LABEL} />);

    expect(screen.getByRole("img", { name: LABEL })).toHaveAttribute("data-scale-max", "300");
  });
});
