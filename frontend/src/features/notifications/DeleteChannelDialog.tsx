import { useMutation, useQueryClient } from "@tanstack/react-query";

import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
import { type Channel, deleteChannel, notificationQueries } from "./queries";

interface DeleteChannelDialogProps {
  channel: Channel;
  onClose: () => void;
  onDeleted: (channel: Channel) => void;
}

/** Ask, then delete a notification channel. */
export default function DeleteChannelDialog({
  channel,
  onClose,
  onDeleted,
}: DeleteChannelDialogProps) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteChannel(channel.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: notificationQueries.all() });
      onDeleted(channel);
    },
  });
  return (
    <ConfirmDialog
      open
      title={`Delete ${channel.name}?`}
      confirmLabel="Delete channel"
      onConfirm={() => remove.mutate()}
      onClose={onClose}
      pending={remove.isPending}
      error={remove.isError ? errorMessage(remove.error) : null}
    >
      {channel.name} and its URL are deleted: it gets no more messages. This cannot be undone.
    </ConfirmDialog>
  );
}
