// Hand-written from the reservations contract (issue 19) until the backend's OpenAPI has
// them: this file goes once `npm run gen:api` generates the same shapes into api/schema.d.ts.
import type { components } from "../../api/schema";

export type ReservationStatus = "upcoming" | "active" | "ended" | "released" | "broken";
export type ReservationPolicy = "none" | "advisory" | "exclusive";

export interface Reservation {
  id: string;
  environmentId: string;
  environmentName: string;
  holder: { userId: string; username: string };
  purpose: string;
  start: string;
  end: string;
  createdAt: string;
  releasedAt: string | null;
  releasedBy: { userId: string; username: string } | null;
  breakReason: string | null;
  status: ReservationStatus;
}

export interface EnvironmentReservations {
  current: Reservation | null;
  next: Reservation | null;
}

export interface ReservationCreate {
  purpose: string;
  start?: string;
  end?: string;
  duration?: string;
}

export interface ReservationList {
  items: Reservation[];
  pagination: components["schemas"]["Pagination"];
}

export interface ReservationListQuery {
  environmentId?: string;
  holder?: string;
  active?: boolean;
  from?: string;
  to?: string;
  page?: number;
  limit?: number;
}

type Json<T> = { content: { "application/json": T } };
type ErrorAnswer = Json<components["schemas"]["ErrorResponse"]>;
type Operation<P, B, R> = {
  parameters: P;
  requestBody: Json<B>;
  responses: { 200: Json<R>; 201: Json<R>; default: ErrorAnswer };
};

/** The reservation endpoints, in the shape openapi-typescript generates. */
export interface ReservationPaths {
  "/api/v1/environments/{environment_id}/reservations": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    post: Operation<{ path: { environment_id: string } }, ReservationCreate, Reservation>;
  };
  "/api/v1/reservations": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    get: {
      parameters: { query?: ReservationListQuery };
      requestBody?: never;
      responses: { 200: Json<ReservationList>; default: ErrorAnswer };
    };
  };
  "/api/v1/reservations/{reservation_id}": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    patch: Operation<{ path: { reservation_id: string } }, { end: string }, Reservation>;
  };
  "/api/v1/reservations/{reservation_id}/release": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    post: {
      parameters: { path: { reservation_id: string } };
      requestBody?: never;
      responses: { 200: Json<Reservation>; default: ErrorAnswer };
    };
  };
  "/api/v1/reservations/{reservation_id}/break": {
    parameters: { query?: never; header?: never; path?: never; cookie?: never };
    post: Operation<{ path: { reservation_id: string } }, { reason: string }, Reservation>;
  };
}
