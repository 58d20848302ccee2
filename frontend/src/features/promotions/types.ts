// The shapes of pipelines, boards and promotions (docs/promotions.md), from the API's schema.
import type { components } from "../../api/schema";

type Schemas = components["schemas"];

export type Pipeline = Schemas["Pipeline"];
export type PipelineList = Schemas["PipelineList"];
/** A stage as the API answers it. */
export type Stage = Schemas["Stage-Output"];
/** What creating or replacing a pipeline sends. */
export type PipelineSpec = Schemas["PipelineSpec"];
export type Board = Schemas["PipelineBoard"];
export type BoardStage = Schemas["BoardStage"];
export type BoardEnvironment = Schemas["BoardEnvironment"];
export type Gate = Schemas["Gate"];
/** The gates a promotion of a version into a stage meets now. */
export type GateCheck = Schemas["GatesAnswer"];
export type Promotion = Schemas["Promotion"];
export type PromotionList = Schemas["PromotionList"];
export type PromotionStatus = Schemas["PromotionStatus"];
export type Target = Schemas["envdeck__domain__promotion__Target"];
export type TargetStatus = Schemas["TargetStatus"];
export type HealthState = Schemas["HealthState"];
