import { useQueryClient } from "@tanstack/react-query";

import type { ServerMessage } from "../../lib/realtime/protocol";
import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeResync } from "../../lib/realtime/useRealtimeResync";
import { pipelineQueries, promotionQueries } from "./queries";
import type { Promotion } from "./types";

function isPromotion(value: unknown): value is Promotion {
  if (typeof value !== "object" || value === null) return false;
  const { id, pipelineId, status, targets } = value as Record<string, unknown>;
  return (
    typeof id === "string" &&
    typeof pipelineId === "string" &&
    typeof status === "string" &&
    Array.isArray(targets)
  );
}

/** The promotion of a promotion_update frame: in its payload, or beside the type. */
export function promotionOf(message: ServerMessage): Promotion | null {
  const payload = message.payload as { promotion?: unknown } | undefined;
  const found = payload?.promotion ?? (message as { promotion?: unknown }).promotion;
  return isPromotion(found) ? found : null;
}

/**
 * Keep promotions live from promotion_update frames: the promotion's own view takes the frame
 * as is; the lists (history, approvals inbox) and its pipeline's board are read again.
 * Everything is read again after a reconnect.
 */
export function useLivePromotions(): void {
  const queryClient = useQueryClient();
  useRealtimeMessage("promotion_update", (message) => {
    const promotion = promotionOf(message);
    if (!promotion) return;
    queryClient.setQueryData(promotionQueries.detail(promotion.id).queryKey, promotion);
    void queryClient.invalidateQueries({ queryKey: promotionQueries.lists() });
    void queryClient.invalidateQueries({
      queryKey: pipelineQueries.board(promotion.pipelineId).queryKey,
    });
  });
  useRealtimeResync(() => {
    void queryClient.invalidateQueries({ queryKey: promotionQueries.all() });
    void queryClient.invalidateQueries({ queryKey: pipelineQueries.all() });
  });
}
