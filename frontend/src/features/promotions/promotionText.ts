import { formatDuration } from "../../lib/duration";
import type { BoardStage, PromotionStatus, Stage, TargetStatus } from "./types";

export const PROMOTION_STATUS_LABELS: Record<PromotionStatus, string> = {
  awaiting_approval: "Awaiting approval",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  rejected: "Rejected",
  cancelled: "Cancelled",
};

export const TARGET_STATUS_LABELS: Record<TargetStatus, string> = {
  pending: "Pending",
  running: "Running",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped",
  rolling_back: "Rolling back",
  rolled_back: "Rolled back",
};

const GATE_LABELS: Record<string, string> = {
  environments: "Environments",
  version: "Version",
  previousStage: "Previous stage",
  soakTime: "Soak time",
  lineage: "Lineage",
  reservations: "Reservations",
  idle: "Idle",
};

/** "Soak time" for soakTime; a gate the UI does not know keeps its own name. */
export function gateLabel(name: string): string {
  return GATE_LABELS[name] ?? name;
}

/** Whether a promotion in this status can still change. */
export function isOpen(status: PromotionStatus): boolean {
  return status === "awaiting_approval" || status === "running";
}

/**
 * "26 h": how long a version has run healthy. Soak times are counted in hours ("24h"), so up to
 * three days stay in hours rather than rounding 26 h down to "1 d".
 */
export function formatSoak(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  return hours >= 1 && hours < 72 ? `${hours} h` : formatDuration(ms);
}

/** "2.5.0 verified 26 h": how long the stage has run its verified version healthy. */
export function verifiedText(
  version: string | null,
  since: string | null,
  now: number = Date.now(),
): string {
  if (!version) return "No verified version";
  if (!since) return `${version} verified`;
  return `${version} verified ${formatSoak(now - Date.parse(since))}`;
}

/** "upgrades 2 environments, 1 at a time, needs approval": what promoting version does. */
export function promotionEffect(
  board: BoardStage,
  stage: Stage | undefined,
  version: string,
): string {
  const moving = board.environments.filter((environment) => environment.version !== version);
  const count = moving.length;
  const parts: string[] = [];
  if (count === 0) parts.push("every environment already runs it");
  else if (count === 1) parts.push("upgrades 1 environment");
  else {
    const parallel = stage?.maxParallel ?? 1;
    const pace = parallel >= count ? "all at once" : `${parallel} at a time`;
    parts.push(`upgrades ${count} environments, ${pace}`);
  }
  if (board.approvalsRequired > 0) parts.push("needs approval");
  return parts.join(", ");
}

/** "Promote 2.5.0 to prod: upgrades 2 environments, 1 at a time, needs approval" */
export function promoteLabel(
  board: BoardStage,
  stage: Stage | undefined,
  version: string,
): string {
  return `Promote ${version} to ${board.name}: ${promotionEffect(board, stage, version)}`;
}
