// The health API's shapes, from the backend's OpenAPI (docs/realtime.md for status frames).
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type HealthState = Schemas["HealthState"];
export type HealthStatus = Schemas["Status-Output"];
export type HealthCheckConfig = Schemas["HealthCheckConfig"];
/** A health check to try unsaved, with the environment URL a path endpoint is joined to. */
export interface HealthCheckDraft {
  healthCheck: HealthCheckConfig;
  environmentURL: string | null;
}
/** The checks of one environment within [timestamp, timestamp + bucket). */
export type HealthPoint = Schemas["HealthPoint"];
export type HealthHistory = Schemas["HealthHistory"];
/** A window's uptime: a percentage, or null when there was no check in it. */
export type UptimeWindow = Schemas["UptimeWindow"];
export type Uptime = Schemas["Uptime"];
export type HealthSample = Schemas["HealthSample"];
/** What a check run on demand (Check now, the form's Test) found. */
export type CheckResult = Schemas["HealthCheckResult"];

export const HISTORY_RANGES = ["1h", "24h", "7d", "30d"] as const;
export type HistoryRange = (typeof HISTORY_RANGES)[number];
