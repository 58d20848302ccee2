import { useQueryClient } from "@tanstack/react-query";

import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { applyOperationUpdate } from "./liveOperations";
import { isOperation } from "./types";

/** Keep every cached operation, list and busy mark live from operation_update frames. */
export function useLiveOperations(): void {
  const queryClient = useQueryClient();
  useRealtimeMessage("operation_update", (message) => {
    const payload = message.payload as { operation?: unknown } | undefined;
    if (isOperation(payload?.operation)) applyOperationUpdate(queryClient, payload.operation);
  });
}
