import { useSyncExternalStore } from "react";

import type { HealthPoint } from "./types";

/** Each card's sparkline on its own scale, or every card's on one (the slowest on screen). */
export type SparklineScale = "own" | "shared";

export const SPARKLINE_SCALE_KEY = "envdeck.sparklineScale";

const listeners = new Set<() => void>();
let sharedMax: number | null = null;

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function savedScale(): SparklineScale {
  return window.localStorage.getItem(SPARKLINE_SCALE_KEY) === "shared" ? "shared" : "own";
}

/** The scale chosen in this browser (remembered), and a way to choose the other. */
export function useSparklineScale(): [SparklineScale, (scale: SparklineScale) => void] {
  const scale = useSyncExternalStore(subscribe, savedScale);
  const choose = (next: SparklineScale) => {
    window.localStorage.setItem(SPARKLINE_SCALE_KEY, next);
    notify();
  };
  return [scale, choose];
}

/** The highest average response time among the sparklines on screen (null: none). */
export function highestAverage(sparklines: Record<string, HealthPoint[]> | undefined): number | null {
  let highest: number | null = null;
  for (const points of Object.values(sparklines ?? {})) {
    for (const point of points) {
      const avg = point.responseTimeAvg;
      if (typeof avg === "number" && (highest === null || avg > highest)) highest = avg;
    }
  }
  return highest;
}

/** Set the top of the shared scale (the dashboard's sparklines hook does, as they change). */
export function publishSharedMax(value: number | null): void {
  if (value === sharedMax) return;
  sharedMax = value;
  notify();
}

/** The top of the shared scale, or null while no sparkline has a figure. */
export function useSharedMax(): number | null {
  return useSyncExternalStore(subscribe, () => sharedMax);
}
