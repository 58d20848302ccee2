import { useMutation, useQueryClient } from "@tanstack/react-query";

import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
import { deleteUser, type User, userQueries } from "./queries";

interface DeleteUserDialogProps {
  user: User;
  onClose: () => void;
  onDeleted: (user: User) => void;
}

/** Ask, then delete a user and their API tokens; the server's refusal is shown in the dialog. */
export default function DeleteUserDialog({ user, onClose, onDeleted }: DeleteUserDialogProps) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteUser(user.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: userQueries.all() });
      onDeleted(user);
    },
  });
  return (
    <ConfirmDialog
      open
      title={`Delete ${user.username}?`}
      confirmLabel="Delete user"
      onConfirm={() => remove.mutate()}
      onClose={onClose}
      pending={remove.isPending}
      error={remove.isError ? errorMessage(remove.error) : null}
    >
      {user.username} and their API tokens are deleted. This cannot be undone; to keep their history
      but stop them signing in, make them inactive instead.
    </ConfirmDialog>
  );
}
