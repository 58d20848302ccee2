import { useQuery } from "@tanstack/react-query";
import { useLayoutEffect, useState } from "react";

import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeSubscription } from "../../lib/realtime/useRealtimeSubscription";
import { addChunks, EMPTY_OUTPUT, hasGap, type OutputState, outputText, setTail } from "./output";
import { operationQueries } from "./queries";
import { isFinished, isOutputChunk } from "./types";

/** How often the stored output is fetched again while chunks are missing. */
export const GAP_REFETCH_MS = 1000;

/**
 * The whole output of one operation, from its first chunk: the stored output (fetched with the
 * operation, which says up to which chunk it holds) followed by the operation_output frames
 * that came after it. Chunks streamed before this subscribed, or while the connection was down,
 * are fetched from the server, again every GAP_REFETCH_MS until they are there.
 */
export function useOperationOutput(operationId: string): string {
  useRealtimeSubscription({ operations: [operationId] });
  const [state, setState] = useState<OutputState>(EMPTY_OUTPUT);
  useRealtimeMessage("operation_output", (message) => {
    const chunk = message.payload;
    if (isOutputChunk(chunk) && chunk.operationId === operationId) {
      setState((current) => addChunks(current, [chunk]));
    }
  });
  const gap = hasGap(state);
  const stored = useQuery({
    ...operationQueries.detail(operationId),
    refetchInterval: (query) => {
      const operation = query.state.data;
      return gap && operation && !isFinished(operation.status) ? GAP_REFETCH_MS : false;
    },
  }).data;
  const tail = stored?.output;
  const tailSeq = stored?.outputSeq;
  // Before paint, so the stored output never flashes "Waiting for output…" first.
  useLayoutEffect(() => {
    if (tail === undefined) return;
    setState((current) => setTail(current, tail, tailSeq));
  }, [tail, tailSeq]);
  return outputText(state);
}
