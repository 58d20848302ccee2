import type { OutputChunk } from "./types";

/**
 * An operation's output as the panel shows it: the stored tail (fetched once) followed by the
 * live chunks that came after it, each chunk once and in seq order whatever order the frames
 * arrived in.
 */
export interface OutputState {
  /** The stored tail; null until the operation has been fetched. */
  tail: string | null;
  /** The seq the tail reaches (from the server, or the last live seq seen when it arrived). */
  tailSeq: number;
  /** Live chunks by seq. */
  live: Map<number, OutputChunk>;
}

export const EMPTY_OUTPUT: OutputState = { tail: null, tailSeq: 0, live: new Map() };

/** Add live chunks: a seq already held, or already inside the tail, is dropped. */
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
 * Take the stored tail. With outputSeq the server says which chunks it holds; without it, the
 * chunks already seen live are taken to be in it when the tail ends with them (a server that
 * keeps the tail only when the operation ends has an empty one meanwhile: nothing is dropped).
 */
export function setTail(
  state: OutputState,
  tail: string,
  outputSeq: number | null | undefined,
): OutputState {
  let tailSeq: number;
  if (typeof outputSeq === "number") {
    tailSeq = outputSeq;
  } else if (tail === "") {
    tailSeq = 0;
  } else {
    tailSeq = 0;
    // The tail may hold the first k live chunks and not the later ones: the longest fit wins.
    const seen = [...state.live.values()].sort((a, b) => a.seq - b.seq);
    for (let k = seen.length; k > 0; k -= 1) {
      const joined = seen
        .slice(0, k)
        .map((c) => c.chunk)
        .join("");
      if (tail.endsWith(joined)) {
        tailSeq = seen[k - 1]?.seq ?? 0;
        break;
      }
    }
  }
  const live = new Map([...state.live].filter(([seq]) => seq > tailSeq));
  return { tail, tailSeq, live };
}

/** The text to show: the tail, then the live chunks in seq order. */
export function outputText(state: OutputState): string {
  const chunks = [...state.live.values()].sort((a, b) => a.seq - b.seq);
  return (state.tail ?? "") + chunks.map((c) => c.chunk).join("");
}
