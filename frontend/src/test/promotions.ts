import type {
  Board,
  BoardEnvironment,
  BoardStage,
  Pipeline,
  Promotion,
  Stage,
} from "../features/promotions/types";

export const PIPELINE_ID = "0000000000000000000000a1";

export function makeStage(name: string, overrides: Partial<Stage> = {}): Stage {
  return {
    name,
    environmentIds: [],
    tags: ["shop", name],
    soakTime: "0s",
    approvals: null,
    maxParallel: 1,
    rollbackOnFailure: true,
    ...overrides,
  };
}

export function makePipeline(overrides: Partial<Pipeline> = {}): Pipeline {
  return {
    id: PIPELINE_ID,
    name: "shop",
    description: "The shop's release road",
    stages: [makeStage("staging", { soakTime: "24h" }), makeStage("prod", { approvals: 1 })],
    createdAt: "2025-03-01T09:30:00Z",
    updatedAt: null,
    ...overrides,
  };
}

export function boardEnvironment(
  name: string,
  version: string,
  overrides: Partial<BoardEnvironment> = {},
): BoardEnvironment {
  return {
    id: `env-${name}`.padEnd(24, "0").slice(0, 24),
    name,
    version,
    health: "healthy",
    healthySince: "2025-03-01T09:30:00Z",
    reachedAt: "2025-03-01T09:30:00Z",
    protected: false,
    activeOperation: null,
    reservedBy: null,
    ...overrides,
  };
}

export function boardStage(name: string, overrides: Partial<BoardStage> = {}): BoardStage {
  return {
    name,
    soakTime: "0s",
    approvalsRequired: 0,
    environments: [],
    verifiedVersion: null,
    verifiedSince: null,
    soaked: false,
    next: { version: null, passed: false, gates: [] },
    activePromotion: null,
    ...overrides,
  };
}

export function makeBoard(pipeline: Pipeline, stages: BoardStage[]): Board {
  return { pipeline, stages, versions: [] };
}

export function makePromotion(overrides: Partial<Promotion> = {}): Promotion {
  return {
    id: "0000000000000000000000b1",
    pipelineId: PIPELINE_ID,
    pipelineName: "shop",
    stage: "prod",
    stageIndex: 1,
    version: "2.5.0",
    status: "running",
    requestedBy: { userId: "id-olive", username: "olive" },
    approvalsRequired: 0,
    approvals: [],
    rejection: null,
    gates: [{ name: "previousStage", passed: true, message: "staging runs 2.5.0 verified" }],
    targets: [],
    maxParallel: 1,
    rollbackOnFailure: true,
    createdAt: "2025-03-01T09:30:00Z",
    startedAt: "2025-03-01T09:30:00Z",
    finishedAt: null,
    message: "",
    ...overrides,
  };
}

/** A page of the promotions list. */
export function promotionPage(items: Promotion[]) {
  const total = items.length;
  return {
    status: 200,
    body: { items, pagination: { page: 1, limit: 20, total, totalPages: total ? 1 : 0 } },
  };
}
