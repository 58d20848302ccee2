import type { OutputChunk } from "./types";

/**
 * An operation's output as the panel shows it: the stored output (chunks 1 to its outputSeq)
 * followed by the live chunks that came after it, each chunk once and in seq order whatever
 * order the frames arrived in.
 */
export interface OutputState {
  /** The stored output; null until the operation has been fetched. */
  tail: string | null;
  /** The seq of the last chunk the stored output holds (the server's outputSeq). */
  tailSeq: number;
  /** Live chunks by seq, each after tailSeq. */
  live: Map<number, OutputChunk>;
}

export const EMPTY_OUTPUT: OutputState = { tail: null, tailSeq: 0, live: new Map() };

/** Add live chunks: a seq already held, or already inside the stored output, is dropped. */
export function addChunks(state: OutputState, chunks: OutputChunk[]): OutputState {
  const fresh = chunks.filter(
    (chunk) => !state.live.has(chunk.seq) && (state.tail === null || chunk.seq > state.tailSeq),
  );
  if (fresh.length === 0) return state;
  const live = new Map(state.live);
  for (const chunk of fresh) live.set(chunk.seq, chunk);
  return { ...state, live };
}

/**
 * Take the stored output, which holds every chunk up to outputSeq: the live chunks it holds
 * are dropped. An answer older than the one already taken (a slow refetch) is ignored.
 */
export function setTail(
  state: OutputState,
  tail: string,
  outputSeq: number | null | undefined,
): OutputState {
  const tailSeq = outputSeq ?? 0;
  if (state.tail !== null && tailSeq < state.tailSeq) return state;
  const live = new Map([...state.live].filter(([seq]) => seq > tailSeq));
  return { tail, tailSeq, live };
}

/**
 * Tell whether chunks are missing between the stored output and the live ones: streamed before
 * the subscription took effect, or while the connection was down. The stored output has them
 * (or will within a second): fetch it again.
 */
export function hasGap(state: OutputState): boolean {
  if (state.tail === null || state.live.size === 0) return false;
  const last = Math.max(...state.live.keys());
  return last - state.tailSeq > state.live.size;
}

/** The text to show: the stored output, then the live chunks in seq order. */
export function outputText(state: OutputState): string {
  const chunks = [...state.live.values()].sort((a, b) => a.seq - b.seq);
  return (state.tail ?? "") + chunks.map((c) => c.chunk).join("");
}
