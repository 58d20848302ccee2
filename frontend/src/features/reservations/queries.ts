import { keepPreviousData, queryOptions } from "@tanstack/react-query";
import type { Client } from "openapi-fetch";

import { api } from "../../api/client";
import { unwrap } from "../../api/unwrap";
import type {
  Reservation,
  ReservationCreate,
  ReservationListQuery,
  ReservationPaths,
} from "./types";

export type {
  EnvironmentReservations,
  Reservation,
  ReservationCreate,
  ReservationPolicy,
  ReservationStatus,
} from "./types";

// The reservation paths are not in the generated client yet (see types.ts): the same client
// (its auth middleware included), typed by the contract's paths.
const client = api as unknown as Client<ReservationPaths>;

/** The most reservations one timeline asks for (the API's page limit). */
export const TIMELINE_LIMIT = 200;

export const reservationQueries = {
  all: () => ["reservations"] as const,
  list: (params: ReservationListQuery) =>
    queryOptions({
      queryKey: [...reservationQueries.all(), "list", params],
      queryFn: async () =>
        unwrap(await client.GET("/api/v1/reservations", { params: { query: params } })),
      placeholderData: keepPreviousData,
    }),
};

export async function createReservation(
  environmentId: string,
  body: ReservationCreate,
): Promise<Reservation> {
  return unwrap(
    await client.POST("/api/v1/environments/{environment_id}/reservations", {
      params: { path: { environment_id: environmentId } },
      body,
    }),
  );
}

/** Move a reservation's end (later to extend it). */
export async function extendReservation(id: string, end: string): Promise<Reservation> {
  return unwrap(
    await client.PATCH("/api/v1/reservations/{reservation_id}", {
      params: { path: { reservation_id: id } },
      body: { end },
    }),
  );
}

export async function releaseReservation(id: string): Promise<Reservation> {
  return unwrap(
    await client.POST("/api/v1/reservations/{reservation_id}/release", {
      params: { path: { reservation_id: id } },
    }),
  );
}

/** End someone else's reservation now (admins), saying why. */
export async function breakReservation(id: string, reason: string): Promise<Reservation> {
  return unwrap(
    await client.POST("/api/v1/reservations/{reservation_id}/break", {
      params: { path: { reservation_id: id } },
      body: { reason },
    }),
  );
}
