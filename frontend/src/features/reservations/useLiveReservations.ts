import { useQueryClient } from "@tanstack/react-query";

import type { ServerMessage } from "../../lib/realtime/protocol";
import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { useRealtimeResync } from "../../lib/realtime/useRealtimeResync";
import { type Reservation, reservationQueries } from "./queries";

function isReservation(value: unknown): value is Reservation {
  if (typeof value !== "object" || value === null) return false;
  const { id, environmentId, holder } = value as Record<string, unknown>;
  return typeof id === "string" && typeof environmentId === "string" && typeof holder === "object";
}

/** The reservation of a reservation_update frame: in its payload, as every frame has it. */
export function reservationOf(message: ServerMessage): Reservation | null {
  const payload = message.payload as { reservation?: unknown } | undefined;
  // The contract shows it beside the type; both forms are read.
  const found = payload?.reservation ?? (message as { reservation?: unknown }).reservation;
  return isReservation(found) ? found : null;
}

/**
 * Keep the reservation lists live from reservation_update frames (made, extended, released,
 * broken, ended); onReservation is told of each (the page keeps the environments' current
 * reservation with it). Everything is read again after a reconnect.
 */
export function useLiveReservations(onReservation?: (reservation: Reservation) => void): void {
  const queryClient = useQueryClient();
  useRealtimeMessage("reservation_update", (message) => {
    const reservation = reservationOf(message);
    if (!reservation) return;
    void queryClient.invalidateQueries({ queryKey: reservationQueries.all() });
    onReservation?.(reservation);
  });
  useRealtimeResync(() => {
    void queryClient.invalidateQueries({ queryKey: reservationQueries.all() });
  });
}
