import AddIcon from "@mui/icons-material/Add";
import {
  Alert,
  Box,
  Button,
  LinearProgress,
  Paper,
  Snackbar,
  Stack,
  Typography,
} from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";

import ListPagination from "../../components/ListPagination";
import { errorMessage } from "../../lib/serverErrors";
import ChannelDialog from "./ChannelDialog";
import ChannelsTable from "./ChannelsTable";
import DeleteChannelDialog from "./DeleteChannelDialog";
import { type Channel, notificationQueries, showDelivery, testChannel } from "./queries";

type OpenDialog = { kind: "create" } | { kind: "edit" | "delete"; channel: Channel } | null;

/** Page through, create, edit, test and delete the channels alerts are sent to. */
export default function NotificationsManager() {
  const queryClient = useQueryClient();
  const [page, setPage] = useState(0);
  const [limit, setLimit] = useState(20);
  const [dialog, setDialog] = useState<OpenDialog>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const channels = useQuery(notificationQueries.list({ page: page + 1, limit }));
  const emptyPage = channels.data?.channels.length === 0 && page > 0;
  const test = useMutation({
    mutationFn: (channel: Channel) => testChannel(channel.id),
    onSuccess: async (result, channel) => {
      showDelivery(queryClient, channel.id, result);
      setNotice(
        result.status === "sent"
          ? `Test message sent to ${channel.name}.`
          : `Test message to ${channel.name} failed: ${result.error ?? "no reason given"}`,
      );
      await queryClient.invalidateQueries({ queryKey: notificationQueries.lists() });
    },
    onError: (error, channel) =>
      setNotice(`Could not test ${channel.name}: ${errorMessage(error)}`),
  });

  useEffect(() => {
    if (emptyPage) setPage((current) => Math.max(current - 1, 0));
  }, [emptyPage]);

  const close = () => setDialog(null);
  const done = (message: string) => {
    setDialog(null);
    setNotice(message);
  };

  return (
    <Stack spacing={2}>
      <Stack direction="row" alignItems="center">
        <Typography color="text.secondary" sx={{ flexGrow: 1 }}>
          Where Envdeck sends alerts (Slack, Teams, email, webhooks… through Apprise). URLs are
          stored encrypted and never shown again; maintenance windows and running operations keep
          them quiet.
        </Typography>
        <Button
          variant="contained"
          startIcon={<AddIcon />}
          onClick={() => setDialog({ kind: "create" })}
          sx={{ flexShrink: 0, ml: 2 }}
        >
          New channel
        </Button>
      </Stack>

      {channels.isError && <Alert severity="error">{errorMessage(channels.error)}</Alert>}
      <Paper variant="outlined">
        {channels.isFetching ? (
          <LinearProgress aria-label="Loading channels" />
        ) : (
          <Box sx={{ height: 4 }} />
        )}
        {channels.data && (
          <>
            <ChannelsTable
              channels={channels.data.channels}
              testing={test.isPending ? (test.variables?.id ?? null) : null}
              onTest={(channel) => test.mutate(channel)}
              onEdit={(channel) => setDialog({ kind: "edit", channel })}
              onDelete={(channel) => setDialog({ kind: "delete", channel })}
            />
            <ListPagination
              total={channels.data.pagination.total}
              page={page}
              limit={limit}
              onPageChange={setPage}
              onLimitChange={setLimit}
            />
          </>
        )}
      </Paper>

      {dialog?.kind === "create" && (
        <ChannelDialog
          channel={null}
          onClose={close}
          onSaved={(channel) => done(`Created ${channel.name}.`)}
        />
      )}
      {dialog?.kind === "edit" && (
        <ChannelDialog
          channel={dialog.channel}
          onClose={close}
          onSaved={(channel) => done(`Saved ${channel.name}.`)}
        />
      )}
      {dialog?.kind === "delete" && (
        <DeleteChannelDialog
          channel={dialog.channel}
          onClose={close}
          onDeleted={(channel) => done(`Deleted ${channel.name}.`)}
        />
      )}
      <Snackbar
        open={notice !== null}
        autoHideDuration={6000}
        onClose={() => setNotice(null)}
        message={notice}
      />
    </Stack>
  );
}
