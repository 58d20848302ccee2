import { act, render, screen } from "@testing-library/react";

import HealthSince from "./HealthSince";

afterEach(() => {
  vi.useRealTimers();
});

describe("HealthSince", () => {
  it("says for how long the health has held, and keeps counting", () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2025-03-01T10:05:00Z"));
    render(<HealthSince health="unhealthy" since="2025-03-01T10:00:00Z" />);
    expect(screen.getByText("Unhealthy for 5 m")).toBeInTheDocument();

    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(screen.getByText("Unhealthy for 6 m")).toBeInTheDocument();
  });

  it("shows nothing when the time of the change is not known", () => {
    const { container } = render(<HealthSince health="healthy" since={null} />);
    expect(container).toBeEmptyDOMElement();
  });
});
