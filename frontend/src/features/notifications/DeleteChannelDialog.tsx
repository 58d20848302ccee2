import ConfirmActionDialog from "../../components/ConfirmActionDialog";
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
  return (
    <ConfirmActionDialog
      title={`Delete ${channel.name}?`}
      confirmLabel="Delete channel"
      action={() => deleteChannel(channel.id)}
      invalidates={notificationQueries.all()}
      onDone={() => onDeleted(channel)}
      onClose={onClose}
    >
      {channel.name} and its URL are deleted: it gets no more messages. This cannot be undone.
    </ConfirmActionDialog>
  );
}
