/** A response-time axis from 0: its top, its ticks, and labels that never repeat. */
export interface ResponseTimeAxis {
  max: number;
  ticks: number[];
  /** A tick's label, as precise as the step between ticks needs (so no two read the same). */
  format: (ms: number) => string;
}

const STEPS = [1, 2, 2.5, 5, 10];

/** A round step (1, 2, 2.5 or 5 × 10^k) that covers maxMs in at most `count` steps. */
function niceStep(maxMs: number, count: number): number {
  const rough = maxMs / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = STEPS.find((s) => s * power >= rough) ?? 10;
  return step * power;
}

/** Decimals needed to write multiples of step exactly (up to 3). */
function decimalsOf(step: number): number {
  for (let decimals = 0; decimals < 3; decimals += 1) {
    const scaled = step * 10 ** decimals;
    if (Math.abs(scaled - Math.round(scaled)) < 1e-9) return decimals;
  }
  return 3;
}

/**
 * The axis for response times up to maxMs: about `count` round ticks from 0, in ms below a
 * second and in s from there, each label written with the decimals its step needs.
 */
export function responseTimeAxis(maxMs: number, count = 4): ResponseTimeAxis {
  const top = Number.isFinite(maxMs) && maxMs > 0 ? maxMs : 1;
  const step = niceStep(top, count);
  const ticks: number[] = [];
  for (let n = 0; n * step < top + step / 2 && ticks.length <= count + 1; n += 1) {
    ticks.push(Number((n * step).toPrecision(12)));
  }
  if (ticks.at(-1)! < top) ticks.push(Number((ticks.length * step).toPrecision(12)));
  const max = ticks.at(-1)!;
  const inSeconds = max >= 1000;
  const decimals = decimalsOf(inSeconds ? step / 1000 : step);
  const format = (ms: number) =>
    inSeconds ? `${(ms / 1000).toFixed(decimals)} s` : `${ms.toFixed(decimals)} ms`;
  return { max, ticks, format };
}
