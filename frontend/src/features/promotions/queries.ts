import { queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { operations } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";
import type { Pipeline, PipelineSpec, Promotion } from "./types";

export type PromotionListQuery = NonNullable<
  operations["list_promotions"]["parameters"]["query"]
>;

const pipeline = (id: string) => ({ path: { pipeline_id: id } });
const promotion = (id: string) => ({ path: { promotion_id: id } });

export const pipelineQueries = {
  all: () => ["pipelines"] as const,
  lists: () => [...pipelineQueries.all(), "list"] as const,
  list: (params: PageRequest) =>
    pageQuery([...pipelineQueries.lists(), params], async () =>
      unwrap(await api.GET("/api/v1/pipelines", { params: { query: params } })),
    ),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...pipelineQueries.all(), "detail", id],
      queryFn: async () =>
        unwrap(await api.GET("/api/v1/pipelines/{pipeline_id}", { params: pipeline(id) })),
    }),
  board: (id: string) =>
    queryOptions({
      queryKey: [...pipelineQueries.all(), "board", id],
      queryFn: async () =>
        unwrap(await api.GET("/api/v1/pipelines/{pipeline_id}/board", { params: pipeline(id) })),
      // Soak times pass and health changes without a promotion: look again now and then.
      refetchInterval: 30_000,
    }),
  /** The gates a promotion of version into stage would meet now. */
  gates: (id: string, stage: string, version: string) =>
    queryOptions({
      queryKey: [...pipelineQueries.all(), "gates", id, stage, version],
      queryFn: async () =>
        unwrap(
          await api.GET("/api/v1/pipelines/{pipeline_id}/stages/{stage}/gates", {
            params: { path: { pipeline_id: id, stage }, query: { version } },
          }),
        ),
    }),
};

export const promotionQueries = {
  all: () => ["promotions"] as const,
  lists: () => [...promotionQueries.all(), "list"] as const,
  list: (params: PromotionListQuery) =>
    pageQuery([...promotionQueries.lists(), params], async () =>
      unwrap(await api.GET("/api/v1/promotions", { params: { query: params } })),
    ),
  detail: (id: string) =>
    queryOptions({
      queryKey: [...promotionQueries.all(), "detail", id],
      queryFn: async () =>
        unwrap(await api.GET("/api/v1/promotions/{promotion_id}", { params: promotion(id) })),
    }),
};

export async function createPipeline(spec: PipelineSpec): Promise<Pipeline> {
  return unwrap(await api.POST("/api/v1/pipelines", { body: spec }));
}

export async function replacePipeline(id: string, spec: PipelineSpec): Promise<Pipeline> {
  return unwrap(
    await api.PUT("/api/v1/pipelines/{pipeline_id}", { params: pipeline(id), body: spec }),
  );
}

export async function deletePipeline(id: string): Promise<void> {
  expectOk(await api.DELETE("/api/v1/pipelines/{pipeline_id}", { params: pipeline(id) }));
}

/** Promote version into stage (202): what was confirmed is what is promoted. */
export async function startPromotion(
  pipelineId: string,
  stage: string,
  version: string,
): Promise<Promotion> {
  return unwrap(
    await api.POST("/api/v1/pipelines/{pipeline_id}/stages/{stage}/promotions", {
      params: { path: { pipeline_id: pipelineId, stage } },
      body: { version },
    }),
  );
}

export async function approvePromotion(id: string): Promise<Promotion> {
  return unwrap(
    await api.POST("/api/v1/promotions/{promotion_id}/approve", { params: promotion(id) }),
  );
}

export async function rejectPromotion(id: string, reason: string): Promise<Promotion> {
  return unwrap(
    await api.POST("/api/v1/promotions/{promotion_id}/reject", {
      params: promotion(id),
      body: { reason },
    }),
  );
}

export async function cancelPromotion(id: string): Promise<Promotion> {
  return unwrap(
    await api.POST("/api/v1/promotions/{promotion_id}/cancel", { params: promotion(id) }),
  );
}
