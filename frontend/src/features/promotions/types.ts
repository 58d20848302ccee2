// The shapes of pipelines, boards and promotions (docs/promotions.md).
// TRANSITIONAL: written from the documented API until the backend's OpenAPI lands; then these
// become aliases of components["schemas"][…] from api/schema.d.ts.

export type PromotionStatus =
  | "awaiting_approval"
  | "running"
  | "succeeded"
  | "failed"
  | "rejected"
  | "cancelled";

export type TargetStatus =
  | "pending"
  | "running"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "skipped"
  | "rolling_back"
  | "rolled_back";

export type HealthState = "healthy" | "unhealthy" | "unknown";

export interface Stage {
  name: string;
  environmentIds: string[];
  tags: string[];
  /** A duration as text: "0s", "30m", "24h". */
  soakTime: string;
  /** How many admins approve a promotion into it; null: 1 when it has a protected environment. */
  approvals: number | null;
  maxParallel: number;
  rollbackOnFailure: boolean;
}

export interface Pipeline {
  id: string;
  name: string;
  description: string;
  stages: Stage[];
  createdAt: string | null;
  updatedAt: string | null;
}

/** What creating or replacing a pipeline sends. */
export interface PipelineSpec {
  name: string;
  description: string;
  stages: Stage[];
}

export interface PipelineList {
  items: Pipeline[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}

export interface Gate {
  name: string;
  passed: boolean;
  message: string;
}

export interface GateCheck {
  version: string | null;
  passed: boolean;
  gates: Gate[];
}

export interface BoardEnvironment {
  id: string;
  name: string;
  version: string | null;
  health: HealthState;
  healthySince: string | null;
  reachedAt: string | null;
  protected: boolean;
  activeOperation: unknown;
  reservedBy: unknown;
}

export interface BoardStage {
  name: string;
  soakTime: string;
  approvalsRequired: number;
  environments: BoardEnvironment[];
  verifiedVersion: string | null;
  verifiedSince: string | null;
  soaked: boolean;
  next: GateCheck;
  activePromotion: unknown;
}

export interface Board {
  pipeline: Pipeline;
  stages: BoardStage[];
  versions: { version: string; stages: string[] }[];
}

export interface Person {
  userId: string;
  username: string;
}

export interface Approval extends Person {
  at: string;
  selfApproved: boolean;
}

export interface Target {
  environmentId: string;
  environmentName: string;
  fromVersion: string;
  status: TargetStatus;
  operationId: string | null;
  rollbackOperationId: string | null;
  message: string;
}

export interface Promotion {
  id: string;
  pipelineId: string;
  pipelineName: string;
  stage: string;
  stageIndex: number;
  version: string;
  status: PromotionStatus;
  requestedBy: Person;
  approvalsRequired: number;
  approvals: Approval[];
  rejection: (Person & { at: string; reason: string }) | null;
  gates: Gate[];
  targets: Target[];
  maxParallel: number;
  rollbackOnFailure: boolean;
  createdAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  message: string;
}

export interface PromotionList {
  items: Promotion[];
  pagination: { page: number; limit: number; total: number; totalPages: number };
}
