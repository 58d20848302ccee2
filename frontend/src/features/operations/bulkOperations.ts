import { errorMessage } from "../../lib/serverErrors";
import type { OperationKind } from "./availability";
import type { EnvironmentVersions } from "./queries";
import { behindBy } from "./versionRules";

/** The most environments one bulk action starts operations on. */
export const MAX_BULK = 100;
/** How many start requests are in flight at once (each is its own operation, with its checks). */
export const START_CONCURRENCY = 4;

/** Where one environment of a bulk action ended up. */
export type BulkOutcome =
  | { state: "waiting" }
  | { state: "started"; operationId: string }
  | { state: "refused"; reason: string }
  | { state: "skipped"; reason: string };

/** Which version a bulk upgrade asks each environment for. */
export type UpgradeChoice = { kind: "newest" } | { kind: "version"; version: string };

/** The version an environment is upgraded to by choice, or why it is left out. */
export type UpgradePlan = { version: string } | { skip: string };

/**
 * The version choice gives for an environment with these versions (newest first): the newest
 * listed unless it already runs it, or the chosen one if its list has it.
 */
export function planUpgrade(versions: EnvironmentVersions, choice: UpgradeChoice): UpgradePlan {
  const listed = versions.availableVersions;
  const target = choice.kind === "newest" ? listed[0] : choice.version;
  if (target === undefined) return { skip: "Its version list is empty" };
  if (!listed.includes(target)) return { skip: `${target} is not in its version list` };
  if (target === versions.currentVersion) return { skip: `Already runs ${target}` };
  if (choice.kind === "newest" && behindBy(versions.currentVersion, listed) === 0) {
    return { skip: "Already runs the newest version" };
  }
  return { version: target };
}

/**
 * Run start for every item, a few at a time, telling onOutcome each result as it comes: the
 * operation it started, or the server's reason for refusing it (its own checks: role,
 * protected, busy, reserved, maintenance...).
 */
export async function startEach<T extends { id: string }>(
  items: T[],
  start: (item: T) => Promise<{ operationId: string }>,
  onOutcome: (id: string, outcome: BulkOutcome) => void,
  concurrency = START_CONCURRENCY,
): Promise<void> {
  const queue = [...items];
  const worker = async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
      try {
        const accepted = await start(item);
        onOutcome(item.id, { state: "started", operationId: accepted.operationId });
      } catch (error) {
        onOutcome(item.id, { state: "refused", reason: errorMessage(error) });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

export const KIND_LABELS: Record<OperationKind, string> = { restart: "Restart", upgrade: "Upgrade" };
