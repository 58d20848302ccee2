import type { components } from "../api/schema";
import { makeEnvironment } from "./fixtures";

type Reservation = components["schemas"]["ReservationPublic"];

const HOUR = 3_600_000;

/** A reservation as the API shows it: alice holds alpha from an hour ago for three hours. */
export function makeReservation(overrides: Partial<Reservation> = {}): Reservation {
  const now = Date.now();
  return {
    id: "0000000000000000000000r1",
    environmentId: makeEnvironment("alpha").id,
    environmentName: "alpha",
    holder: { userId: "id-alice", username: "alice" },
    purpose: "PR 123",
    start: new Date(now - HOUR).toISOString(),
    end: new Date(now + 2 * HOUR).toISOString(),
    createdAt: new Date(now - HOUR).toISOString(),
    releasedAt: null,
    releasedBy: null,
    breakReason: null,
    status: "active",
    ...overrides,
  };
}

/** An environment named name with this current reservation (and no next one). */
export function reservedEnvironment(name: string, current: Reservation | null) {
  return {
    ...makeEnvironment(name),
    reservationPolicy: "advisory" as const,
    reservations: { current, next: null },
  };
}
