import { useQueryClient } from "@tanstack/react-query";

import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { applyOperationUpdate } from "./liveOperations";
import { isOperation, type Operation } from "./types";

/**
 * Keep every cached operation and list live from operation_update frames; onOperation is
 * told of each (the page keeps the environments' busy marks with it).
 */
export function useLiveOperations(onOperation?: (operation: Operation) => void): void {
  const queryClient = useQueryClient();
  useRealtimeMessage("operation_update", (message) => {
    const payload = message.payload as { operation?: unknown } | undefined;
    if (isOperation(payload?.operation)) applyOperationUpdate(queryClient, payload.operation, onOperation);
  });
}
