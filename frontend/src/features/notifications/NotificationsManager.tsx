import { Stack, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";

import ListPanel from "../../components/ListPanel";
import ListToolbar from "../../components/ListToolbar";
import NoticeSnackbar from "../../components/NoticeSnackbar";
import type { ScopeWidgets } from "../../components/slots";
import { useListDialogs } from "../../components/useListDialogs";
import { usePaging } from "../../components/usePaging";
import { errorMessage } from "../../lib/serverErrors";
import ChannelDialog from "./ChannelDialog";
import ChannelsTable from "./ChannelsTable";
import DeleteChannelDialog from "./DeleteChannelDialog";
import { type Channel, notificationQueries, showDelivery, testChannel } from "./queries";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; channel: Channel };

/** Page through, create, edit, test and delete the channels alerts are sent to. */
export default function NotificationsManager({ scopeWidgets }: { scopeWidgets: ScopeWidgets }) {
  const queryClient = useQueryClient();
  const paging = usePaging();
  const channels = useQuery(notificationQueries.list(paging.request));
  const { dialog, open, close, done, notice, notify, dismissNotice } =
    useListDialogs<OpenDialog>();
  const test = useMutation({
    mutationFn: (channel: Channel) => testChannel(channel.id),
    onSuccess: async (result, channel) => {
      showDelivery(queryClient, channel.id, result);
      notify(
        result.status === "sent"
          ? `Test message sent to ${channel.name}.`
          : `Test message to ${channel.name} failed: ${result.error ?? "no reason given"}`,
      );
      await queryClient.invalidateQueries({ queryKey: notificationQueries.lists() });
    },
    onError: (error, channel) => notify(`Could not test ${channel.name}: ${errorMessage(error)}`),
  });

  return (
    <Stack spacing={2}>
      <ListToolbar createLabel="New channel" onCreate={() => open({ kind: "create" })}>
        <Typography color="text.secondary">
          Where Envdeck sends alerts (Slack, Teams, email, webhooks… through Apprise). URLs are
          stored encrypted and never shown again; maintenance windows and running operations keep
          them quiet.
        </Typography>
      </ListToolbar>

      <ListPanel
        query={channels}
        items={channels.data?.channels}
        paging={paging}
        loadingLabel="Loading channels"
        emptyText="No channels yet."
      >
        {(rows) => (
          <ChannelsTable
            channels={rows}
            testing={test.isPending ? (test.variables?.id ?? null) : null}
            onTest={(channel) => test.mutate(channel)}
            onEdit={(channel) => open({ kind: "edit", channel })}
            onDelete={(channel) => open({ kind: "delete", channel })}
            ScopeChips={scopeWidgets.ScopeChips}
          />
        )}
      </ListPanel>

      {(dialog?.kind === "create" || dialog?.kind === "edit") && (
        <ChannelDialog
          channel={dialog.kind === "edit" ? dialog.channel : null}
          scopeWidgets={scopeWidgets}
          onClose={close}
          onSaved={(saved) =>
            done(`${dialog.kind === "edit" ? "Saved" : "Created"} ${saved.name}.`)
          }
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteChannelDialog
          channel={dialog.channel}
          onClose={close}
          onDeleted={(channel) => done(`Deleted ${channel.name}.`)}
        />
      )}
      <NoticeSnackbar notice={notice} onClose={dismissNotice} autoHideDuration={6000} />
    </Stack>
  );
}
