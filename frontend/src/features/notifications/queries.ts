import { type QueryClient, queryOptions } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { components } from "../../api/schema";
import { expectOk, unwrap } from "../../api/unwrap";
import { type PageRequest, pageQuery } from "../../lib/pageQuery";

export type Channel = components["schemas"]["NotificationChannelPublic"];
export type ChannelCreate = components["schemas"]["NotificationChannelCreate"];
export type ChannelUpdate = components["schemas"]["NotificationChannelPatch"];
export type ChannelScope = components["schemas"]["ChannelScope"];
export type ScopeKind = components["schemas"]["ScopeKind"];
export type Delivery = components["schemas"]["Delivery"];
export type DeliveryResult = components["schemas"]["DeliveryResult"];
export type NotificationEvent = components["schemas"]["NotificationEvent"];
export type NotificationEventInfo = components["schemas"]["NotificationEventInfo"];

export const SCOPE_KINDS = ["all", "tags", "environments"] as const satisfies ScopeKind[];

export const SCOPE_LABELS: Record<ScopeKind, string> = {
  all: "All environments",
  tags: "Environments with some tags",
  environments: "Some environments",
};

export const notificationQueries = {
  all: () => ["notifications"] as const,
  lists: () => [...notificationQueries.all(), "list"] as const,
  list: (params: PageRequest) =>
    pageQuery([...notificationQueries.lists(), params], async () =>
      unwrap(await api.GET("/api/v1/notifications/channels", { params: { query: params } })),
    ),
  events: () =>
    queryOptions({
      queryKey: [...notificationQueries.all(), "events"],
      queryFn: async () => {
        const data = unwrap(await api.GET("/api/v1/notifications/events"));
        return data.events;
      },
      // The server's list of event names changes only with a new release.
      staleTime: Infinity,
    }),
};

export async function createChannel(body: ChannelCreate): Promise<Channel> {
  return unwrap(await api.POST("/api/v1/notifications/channels", { body }));
}

export async function updateChannel(id: string, body: ChannelUpdate): Promise<Channel> {
  return unwrap(
    await api.PATCH("/api/v1/notifications/channels/{channel_id}", {
      params: { path: { channel_id: id } },
      body,
    }),
  );
}

export async function deleteChannel(id: string): Promise<void> {
  expectOk(
    await api.DELETE("/api/v1/notifications/channels/{channel_id}", {
      params: { path: { channel_id: id } },
    }),
  );
}

/** Send a test message through a channel: one attempt, whose result the server also keeps. */
export async function testChannel(id: string): Promise<DeliveryResult> {
  return unwrap(
    await api.POST("/api/v1/notifications/channels/{channel_id}/test", {
      params: { path: { channel_id: id } },
    }),
  );
}

/** Show a test's result as the channel's last delivery at once, before the list is read again. */
export function showDelivery(queryClient: QueryClient, channelId: string, result: DeliveryResult) {
  queryClient.setQueriesData<{ channels: Channel[] }>(
    { queryKey: notificationQueries.lists() },
    (list) =>
      list && {
        ...list,
        channels: list.channels.map((channel) =>
          channel.id === channelId
            ? {
                ...channel,
                lastDelivery: { environmentId: null, environmentName: null, ...result },
              }
            : channel,
        ),
      },
  );
}
