import { z } from "zod";

import type { Pipeline, PipelineSpec, Stage } from "./types";

// The server's limits (domain/promotion.py), checked here too.
export const MAX_STAGES = 10;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;
const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$/;
// "30m", "24h", "1h30m", or a number of seconds (durations.py).
const DURATION = /^(\d+(\.\d+)?|(\d+(\.\d+)?(ms|s|m|h|d))+)$/;
const NAME_HELP = "Letters, digits, '-', '_' and '.', starting with a letter or digit";

export const APPROVAL_CHOICES = ["default", "0", "1"] as const;
export type ApprovalChoice = (typeof APPROVAL_CHOICES)[number];

const stageSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Enter a name")
      .max(40, "Use at most 40 characters")
      .regex(STAGE_NAME, NAME_HELP),
    environmentIds: z.array(z.string()),
    tags: z.array(z.string()),
    soakTime: z.string().trim().regex(DURATION, "Enter a duration such as 0s, 30m or 24h"),
    approvals: z.enum(APPROVAL_CHOICES),
    maxParallel: z.string().refine((text) => {
      const count = Number(text);
      return Number.isInteger(count) && count >= 1 && count <= 50;
    }, "Enter 1 to 50"),
    rollbackOnFailure: z.boolean(),
  })
  .superRefine((stage, ctx) => {
    if (stage.environmentIds.length === 0 && stage.tags.length === 0) {
      ctx.addIssue({
        code: "custom",
        path: ["environmentIds"],
        message: "Choose environments or tags",
      });
    }
  });

export const pipelineSchema = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "Enter a name")
      .max(50, "Use at most 50 characters")
      .regex(NAME, NAME_HELP),
    description: z.string().trim().max(2000, "Use at most 2000 characters"),
    stages: z
      .array(stageSchema)
      .min(1, "Add a stage")
      .max(MAX_STAGES, `Use at most ${MAX_STAGES} stages`),
  })
  .superRefine((values, ctx) => {
    const seen = new Set<string>();
    values.stages.forEach((stage, index) => {
      if (seen.has(stage.name)) {
        ctx.addIssue({
          code: "custom",
          path: ["stages", index, "name"],
          message: "Another stage has this name",
        });
      }
      seen.add(stage.name);
    });
  });

export type PipelineValues = z.infer<typeof pipelineSchema>;
export type StageValues = PipelineValues["stages"][number];

export function emptyStage(name = ""): StageValues {
  return {
    name,
    environmentIds: [],
    tags: [],
    soakTime: "0s",
    approvals: "default",
    maxParallel: "1",
    rollbackOnFailure: true,
  };
}

function approvalChoice(approvals: number | null | undefined): ApprovalChoice {
  if (approvals === null || approvals === undefined) return "default";
  return approvals === 0 ? "0" : "1";
}

function stageValues(stage: Stage): StageValues {
  return {
    name: stage.name,
    environmentIds: stage.environmentIds ?? [],
    tags: stage.tags ?? [],
    soakTime: stage.soakTime,
    approvals: approvalChoice(stage.approvals),
    maxParallel: String(stage.maxParallel),
    rollbackOnFailure: stage.rollbackOnFailure,
  };
}

export function pipelineValues(pipeline: Pipeline | null): PipelineValues {
  return {
    name: pipeline?.name ?? "",
    description: pipeline?.description ?? "",
    stages: pipeline ? pipeline.stages.map(stageValues) : [emptyStage("dev")],
  };
}

export function specOf(values: PipelineValues): PipelineSpec {
  return {
    name: values.name,
    description: values.description,
    stages: values.stages.map((stage) => ({
      name: stage.name,
      environmentIds: stage.environmentIds,
      tags: stage.tags,
      soakTime: stage.soakTime,
      approvals: stage.approvals === "default" ? null : Number(stage.approvals),
      maxParallel: Number(stage.maxParallel),
      rollbackOnFailure: stage.rollbackOnFailure,
    })),
  };
}

const STAGE_FIELDS = [
  "name",
  "environmentIds",
  "tags",
  "soakTime",
  "approvals",
  "maxParallel",
  "rollbackOnFailure",
] as const;

type FieldPath = "name" | "description" | `stages.${number}.${(typeof STAGE_FIELDS)[number]}`;

/**
 * The API's field names (details.fields[].field) to the form's: a stage's own fields, and a
 * problem with a whole stage (which environments it selects) on its environments.
 */
export const SERVER_FIELDS: Record<string, FieldPath> = Object.fromEntries([
  ["name", "name"],
  ["description", "description"],
  ...Array.from({ length: MAX_STAGES }, (_, index) => [
    [`stages.${index}`, `stages.${index}.environmentIds`],
    ...STAGE_FIELDS.map((field) => [`stages.${index}.${field}`, `stages.${index}.${field}`]),
  ]).flat(),
]) as Record<string, FieldPath>;
