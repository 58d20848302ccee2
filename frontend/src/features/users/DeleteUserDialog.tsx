import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { deleteUser, type User, userQueries } from "./queries";

interface DeleteUserDialogProps {
  user: User;
  onClose: () => void;
  onDeleted: (user: User) => void;
}

/** Ask, then delete a user and their API tokens; the server's refusal is shown in the dialog. */
export default function DeleteUserDialog({ user, onClose, onDeleted }: DeleteUserDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Delete ${user.username}?`}
      confirmLabel="Delete user"
      action={() => deleteUser(user.id)}
      invalidates={userQueries.all()}
      onDone={() => onDeleted(user)}
      onClose={onClose}
    >
      {user.username} and their API tokens are deleted. This cannot be undone; to keep their history
      but stop them signing in, make them inactive instead.
    </ConfirmActionDialog>
  );
}
