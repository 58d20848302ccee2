// What the environments dashboard and form show of other domains (operations, maintenance,
// reservations, health, credentials): the page passes these in (routes/slots.ts), since features never
// import each other.
import type { SxProps, Theme } from "@mui/material";
import type { ComponentType } from "react";

import type { components } from "../../api/schema";
import type { Environment, HealthState } from "./queries";

/** The checks of one environment within one bucket of a sparkline. */
export type HealthPoint = components["schemas"]["HealthPoint"];

export interface EnvironmentSlots {
  /** The restart and upgrade buttons of one environment. */
  OperationActions: ComponentType<{ environment: Environment; compact?: boolean }>;
  /** Who holds the environment until when ("Free"), with reserve / extend / release. */
  ReservationControl: ComponentType<{ environment: Environment; compact?: boolean }>;
  /** A chip while a maintenance window runs on the environment; nothing otherwise. */
  MaintenanceChip: ComponentType<{ environment: Environment; sx?: SxProps<Theme> }>;
  /** "Unhealthy for 5 m", ticking while shown. */
  HealthSince: ComponentType<{ health: HealthState; since: string | null | undefined }>;
  /** A card's chart of the last hour's response times (loaded lazily: charts are large). */
  Sparkline: ComponentType<{
    points: HealthPoint[] | undefined;
    health: HealthState;
    label: string;
    height?: number;
  }>;
  /**
   * Restart or upgrade several environments: a confirmation listing them, then one operation
   * each and a result per environment. Without it the dashboard offers no selection.
   */
  BulkOperationDialog?: ComponentType<{
    kind: "restart" | "upgrade";
    environments: Environment[];
    onClose: () => void;
  }>;
  /** Switches the cards' sparklines between their own scales and one shared scale. */
  SparklineScaleToggle?: ComponentType;
  /** The last hour's checks of these environments, by id; undefined while they load. */
  useSparklines: (ids: string[]) => Record<string, HealthPoint[]> | undefined;
}

/** A stored credential, as the environment form's picker offers it. */
export interface CredentialOption {
  id: string;
  name: string;
  type: "key" | "password";
}

/** The health check an environment's form describes (what its Test button tries). */
export type HealthCheckConfig = components["schemas"]["HealthCheckConfig"];

/** A health check to try, with the environment URL a path endpoint is joined to. */
export interface HealthCheckDraft {
  healthCheck: HealthCheckConfig;
  environmentURL: string | null;
}

/** What the environment form shows of credentials and health (from the page). */
export interface EnvironmentFormSlots {
  /** The dialog that stores a new credential, opened from the credential picker. */
  CreateCredentialDialog: ComponentType<{
    onClose: () => void;
    onCreated: (credential: CredentialOption) => void;
  }>;
  /** Tries the health check as the form has it, without saving, and shows what it found. */
  TestHealthCheckButton: ComponentType<{
    /**
     * The form's health check and the environment URL a path endpoint is joined to, once
     * their fields are valid; null when they are not.
     */
    getHealthCheck: () => Promise<HealthCheckDraft | null>;
    /** The environment being edited: its stored secret header values stand in for masked ones. */
    environmentId: string | null;
  }>;
}
