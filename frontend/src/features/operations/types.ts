// The operations API: what a restart or an upgrade records, and the frames that stream it.

import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type OperationType = Schemas["OperationType"];
export type OperationStatus = Schemas["OperationStatus"];

/**
 * An operation as GET /operations/{id} answers it: its output holds chunks 1 to outputSeq.
 * operation_update frames leave both out.
 */
export type Operation = Omit<Schemas["Operation"], "output" | "outputSeq"> & {
  output?: string;
  outputSeq?: number;
};

export type OperationList = Schemas["OperationList"];
/** The environment a restart or an upgrade acts on (its commands, its busy mark). */
export type Environment = Schemas["EnvironmentPublic"];
/** The 202 answer of a restart or an upgrade. */
export type OperationAccepted = Schemas["OperationAccepted"];
/** What a restart or an upgrade would run: an SSH script or an HTTP request, secrets masked. */
export type CommandPreview = Schemas["CommandPreviewPublic"];

/** The payload of an operation_output frame; seq counts one operation's chunks from 1. */
export interface OutputChunk {
  operationId: string;
  seq: number;
  stream: string;
  chunk: string;
}

export const FINISHED: ReadonlySet<OperationStatus> = new Set([
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
  "stop_unconfirmed",
  "interrupted",
]);

export function isFinished(status: OperationStatus): boolean {
  return FINISHED.has(status);
}

export const OPERATION_TYPES = [
  "restart",
  "upgrade",
  "rollback",
  "check_health",
] as const satisfies readonly OperationType[];

export const OPERATION_STATUSES = [
  "pending",
  "running",
  "succeeded",
  "failed",
  "cancelled",
  "timed_out",
  "stop_unconfirmed",
  "interrupted",
] as const satisfies readonly OperationStatus[];

export const TYPE_LABELS: Record<OperationType, string> = {
  restart: "Restart",
  upgrade: "Upgrade",
  rollback: "Rollback",
  check_health: "Health check",
};

export const STATUS_LABELS: Record<OperationStatus, string> = {
  pending: "Pending",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  timed_out: "Timed out",
  // Cancel or timeout asked the script to stop; Envdeck could not confirm that it did.
  stop_unconfirmed: "Stop unconfirmed",
  interrupted: "Interrupted",
};

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

export function isOperation(value: unknown): value is Operation {
  return (
    isObject(value) &&
    typeof value.id === "string" &&
    typeof value.environmentId === "string" &&
    typeof value.status === "string"
  );
}

export function isOutputChunk(value: unknown): value is OutputChunk {
  return (
    isObject(value) &&
    typeof value.operationId === "string" &&
    typeof value.seq === "number" &&
    typeof value.chunk === "string"
  );
}
