import { useSyncExternalStore } from "react";

/**
 * One clock per period, shared by every component that reads it: a dashboard of 96 cards
 * each saying "unhealthy for 5 m" runs one timer, not 96, and all of them re-render in the
 * same tick (one render pass) instead of each at its own moment.
 */
interface Ticker {
  now: number;
  listeners: Set<() => void>;
  timer: ReturnType<typeof setInterval> | null;
  /** Stopped since `now` was read: the next first reader reads the clock again. */
  stale: boolean;
  /** Stable, so React does not resubscribe (and restart the clock) on every render. */
  subscribe: (listener: () => void) => () => void;
  snapshot: () => number;
}

const tickers = new Map<number, Ticker>();

function tickerOf(everyMs: number): Ticker {
  let ticker = tickers.get(everyMs);
  if (ticker === undefined) {
    const created: Ticker = {
      now: Date.now(),
      listeners: new Set(),
      timer: null,
      stale: true,
      subscribe: (listener) => subscribe(created, everyMs, listener),
      snapshot: () => {
        // Stopped (nobody read it for a while): catch up once, so that two reads of the
        // same render agree.
        if (created.timer === null && created.stale) {
          created.now = Date.now();
          created.stale = false;
        }
        return created.now;
      },
    };
    ticker = created;
    tickers.set(everyMs, ticker);
  }
  return ticker;
}

function subscribe(ticker: Ticker, everyMs: number, listener: () => void): () => void {
  ticker.listeners.add(listener);
  if (ticker.timer === null) {
    ticker.timer = setInterval(() => {
      ticker.now = Date.now();
      ticker.listeners.forEach((notify) => notify());
    }, everyMs);
  }
  return () => {
    ticker.listeners.delete(listener);
    if (ticker.listeners.size === 0 && ticker.timer !== null) {
      clearInterval(ticker.timer);
      ticker.timer = null;
      ticker.stale = true;
    }
  };
}

/** The current time, refreshed every `everyMs` while mounted (for "unhealthy for 5 m"). */
export function useNow(everyMs = 15_000): number {
  const ticker = tickerOf(everyMs);
  return useSyncExternalStore(ticker.subscribe, ticker.snapshot);
}
