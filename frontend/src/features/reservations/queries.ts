import { keepPreviousData, queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components, operations } from "../../api/schema";
import { unwrap } from "../../api/unwrap";

export type Reservation = components["schemas"]["ReservationPublic"];
export type ReservationCreate = components["schemas"]["ReservationCreate"];
export type ReservationStatus = components["schemas"]["ReservationStatus"];
export type ReservationPolicy = components["schemas"]["ReservationPolicy"];
export type EnvironmentReservations = components["schemas"]["EnvironmentReservations"];
type ReservationListQuery = NonNullable<
  operations["list_reservations"]["parameters"]["query"]
>;

/** The most reservations one timeline asks for (the API's page limit). */
export const TIMELINE_LIMIT = 200;

export const reservationQueries = {
  all: () => ["reservations"] as const,
  list: (params: ReservationListQuery) =>
    queryOptions({
      queryKey: [...reservationQueries.all(), "list", params],
      queryFn: async () =>
        unwrap(await api.GET("/api/v1/reservations", { params: { query: params } })),
      placeholderData: keepPreviousData,
    }),
};

export async function createReservation(
  environmentId: string,
  body: ReservationCreate,
): Promise<Reservation> {
  return unwrap(
    await api.POST("/api/v1/environments/{environment_id}/reservations", {
      params: { path: { environment_id: environmentId } },
      body,
    }),
  );
}

/** Move a reservation's end (later to extend it). */
export async function extendReservation(id: string, end: string): Promise<Reservation> {
  return unwrap(
    await api.PATCH("/api/v1/reservations/{reservation_id}", {
      params: { path: { reservation_id: id } },
      body: { end },
    }),
  );
}

export async function releaseReservation(id: string): Promise<Reservation> {
  return unwrap(
    await api.POST("/api/v1/reservations/{reservation_id}/release", {
      params: { path: { reservation_id: id } },
    }),
  );
}

/** End someone else's reservation now (admins), saying why. */
export async function breakReservation(id: string, reason: string): Promise<Reservation> {
  return unwrap(
    await api.POST("/api/v1/reservations/{reservation_id}/break", {
      params: { path: { reservation_id: id } },
      body: { reason },
    }),
  );
}
