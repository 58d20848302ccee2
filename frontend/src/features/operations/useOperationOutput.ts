import { useLayoutEffect, useState } from "react";

import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeSubscription } from "../../lib/realtime/useRealtimeSubscription";
import { addChunks, EMPTY_OUTPUT, type OutputState, outputText, setTail } from "./output";
import { isOutputChunk } from "./types";

/**
 * The output of one operation: subscribed to its operation_output frames while mounted, merged
 * with the stored tail (given once fetched, and again when the operation finishes).
 */
export function useOperationOutput(
  operationId: string,
  stored: { output?: string; outputSeq?: number | null } | undefined,
): string {
  useRealtimeSubscription({ operations: [operationId] });
  const [state, setState] = useState<OutputState>(EMPTY_OUTPUT);
  useRealtimeMessage("operation_output", (message) => {
    const chunk = message.payload;
    if (isOutputChunk(chunk) && chunk.operationId === operationId) {
      setState((current) => addChunks(current, [chunk]));
    }
  });
  const tail = stored?.output;
  const tailSeq = stored?.outputSeq;
  // Before paint, so the stored tail never flashes "Waiting for output…" first.
  useLayoutEffect(() => {
    if (tail === undefined) return;
    setState((current) => setTail(current, tail, tailSeq));
  }, [tail, tailSeq]);
  return outputText(state);
}
