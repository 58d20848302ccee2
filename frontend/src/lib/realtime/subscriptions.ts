import type { Topics } from "./protocol";

/** A subscribe or unsubscribe frame to send. */
export interface SubscriptionFrame {
  type: "subscribe" | "unsubscribe";
  payload: Topics;
}

function bump(counts: Map<string, number>, keys: readonly string[], by: 1 | -1): string[] {
  const changed: string[] = [];
  for (const key of new Set(keys)) {
    const before = counts.get(key) ?? 0;
    if (by === -1 && before === 0) continue;
    const after = before + by;
    if (after === 0) counts.delete(key);
    else counts.set(key, after);
    if (before === 0 || after === 0) changed.push(key);
  }
  return changed;
}

/**
 * The topics every part of the page wants, counted: two views of one environment keep its
 * subscription until both are gone. Each change returns the frames' payloads that tell the
 * server what started or stopped being wanted (none when nothing did).
 */
export class SubscriptionSet {
  private readonly environments = new Map<string, number>();
  private readonly operations = new Map<string, number>();
  private everyEnvironment = 0;
  private logs = 0;

  add(topics: Topics): SubscriptionFrame[] {
    return this.change(topics, 1).map((payload) => ({ type: "subscribe", payload }));
  }

  remove(topics: Topics): SubscriptionFrame[] {
    const frames: SubscriptionFrame[] = this.change(topics, -1).map((payload) => ({
      type: "unsubscribe",
      payload,
    }));
    // The server's unsubscribe of "*" drops the watched ids too: ask for those again.
    if (frames.some((frame) => frame.payload.environments === "*") && this.environments.size) {
      frames.push({ type: "subscribe", payload: { environments: [...this.environments.keys()] } });
    }
    return frames;
  }

  /** Everything wanted now, to send on a fresh connection. */
  current(): Topics[] {
    return payloads({
      all: this.everyEnvironment > 0,
      environments: [...this.environments.keys()],
      operations: [...this.operations.keys()],
      logs: this.logs > 0,
    });
  }

  private change(topics: Topics, by: 1 | -1): Topics[] {
    let all = false;
    let environments: string[] = [];
    if (topics.environments === "*") {
      const before = this.everyEnvironment;
      this.everyEnvironment = Math.max(before + by, 0);
      all = (before === 0) !== (this.everyEnvironment === 0);
    } else if (topics.environments) {
      environments = bump(this.environments, topics.environments, by);
    }
    const operations = topics.operations ? bump(this.operations, topics.operations, by) : [];
    let logs = false;
    if (topics.logs) {
      const before = this.logs;
      this.logs = Math.max(before + by, 0);
      logs = (before === 0) !== (this.logs === 0);
    }
    return payloads({ all, environments, operations, logs });
  }
}

interface Changes {
  all: boolean;
  environments: string[];
  operations: string[];
  logs: boolean;
}

// "*" and a list of ids are one key's two forms, so they travel in frames of their own.
function payloads({ all, environments, operations, logs }: Changes): Topics[] {
  const frames: Topics[] = [];
  if (all) frames.push({ environments: "*" });
  const rest: Topics = {};
  if (environments.length > 0) rest.environments = environments;
  if (operations.length > 0) rest.operations = operations;
  if (logs) rest.logs = true;
  if (Object.keys(rest).length > 0) frames.push(rest);
  return frames;
}
