import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";
import type {
  Board,
  GateCheck,
  Pipeline,
  PipelineList,
  PipelineSpec,
  Promotion,
  PromotionList,
  PromotionStatus,
} from "./types";

// TRANSITIONAL: the pipelines' paths are not in api/schema.d.ts until the backend's OpenAPI
// lands; until then they go through the same client (and its auth middleware) untyped.
interface Answer {
  data?: unknown;
  error?: unknown;
  response: Response;
}
interface Init {
  params?: { query?: Record<string, string | number | undefined> };
  body?: unknown;
}
const untyped = api as unknown as Record<"GET" | "POST" | "PUT" | "DELETE", (path: string, init?: Init) => Promise<Answer>>;

const pipelinePath = (id: string) => `/api/v1/pipelines/${encodeURIComponent(id)}`;
const promotionPath = (id: string) => `/api/v1/promotions/${encodeURIComponent(id)}`;

export interface PromotionFilters {
  pipelineId?: string;
  stage?: string;
  status?: PromotionStatus;
  version?: string;
}

export const pipelineQueries = {
  all: () => ["pipelines"] as const,
  lists: () => [...pipelineQueries.all(), "list"] as const,
  list: (params: PageRequest) =>
    pageQuery(
      [...pipelineQueries.lists(), params],
      async () =>
        unwrap(await untyped.GET("/api/v1/pipelines", { params: { query: { ...params } } })) as PipelineList,
    ),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...pipelineQueries.all(), "detail", id],
      queryFn: async () => unwrap(await untyped.GET(pipelinePath(id))) as Pipeline,
    }),
  board: (id: string) =>
    queryOptions({
      queryKey: [...pipelineQueries.all(), "board", id],
      queryFn: async () => unwrap(await untyped.GET(`${pipelinePath(id)}/board`)) as Board,
      // Soak times pass and health changes without a promotion: look again now and then.
      refetchInterval: 30_000,
    }),
  /** The gates a promotion of version into stage would meet now. */
  gates: (id: string, stage: string, version: string) =>
    queryOptions({
      queryKey: [...pipelineQueries.all(), "gates", id, stage, version],
      queryFn: async () =>
        unwrap(
          await untyped.GET(`${pipelinePath(id)}/stages/${encodeURIComponent(stage)}/gates`, {
            params: { query: { version } },
          }),
        ) as GateCheck,
    }),
};

export const promotionQueries = {
  all: () => ["promotions"] as const,
  lists: () => [...promotionQueries.all(), "list"] as const,
  list: (params: PromotionFilters & PageRequest) =>
    pageQuery(
      [...promotionQueries.lists(), params],
      async () =>
        unwrap(await untyped.GET("/api/v1/promotions", { params: { query: { ...params } } })) as PromotionList,
    ),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...promotionQueries.all(), "detail", id],
      queryFn: async () => unwrap(await untyped.GET(promotionPath(id))) as Promotion,
    }),
};

export async function createPipeline(spec: PipelineSpec): Promise<Pipeline> {
  return unwrap(await untyped.POST("/api/v1/pipelines", { body: spec })) as Pipeline;
}

export async function replacePipeline(id: string, spec: PipelineSpec): Promise<Pipeline> {
  return unwrap(await untyped.PUT(pipelinePath(id), { body: spec })) as Pipeline;
}

export async function deletePipeline(id: string): Promise<void> {
  expectOk(await untyped.DELETE(pipelinePath(id)));
}

/** Promote into stage (the previous stage's verified version when none is given): 202. */
export async function startPromotion(
  pipelineId: string,
  stage: string,
  version: string | null,
): Promise<Promotion> {
  return unwrap(
    await untyped.POST(`${pipelinePath(pipelineId)}/stages/${encodeURIComponent(stage)}/promotions`, {
      body: version ? { version } : {},
    }),
  ) as Promotion;
}

export async function approvePromotion(id: string): Promise<Promotion> {
  return unwrap(await untyped.POST(`${promotionPath(id)}/approve`)) as Promotion;
}

export async function rejectPromotion(id: string, reason: string): Promise<Promotion> {
  return unwrap(await untyped.POST(`${promotionPath(id)}/reject`, { body: { reason } })) as Promotion;
}

export async function cancelPromotion(id: string): Promise<Promotion> {
  return unwrap(await untyped.POST(`${promotionPath(id)}/cancel`)) as Promotion;
}
