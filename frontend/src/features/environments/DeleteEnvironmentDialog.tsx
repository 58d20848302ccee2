import { useMutation, useQueryClient } from "@tanstack/react-query";

import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
import { deleteEnvironment, type Environment, environmentQueries } from "./queries";

interface DeleteEnvironmentDialogProps {
  environment: Pick<Environment, "id" | "name">;
  onClose: () => void;
  onDeleted: (environment: Pick<Environment, "id" | "name">) => void;
}

/** Ask, then delete an environment; its activity log stays. */
export default function DeleteEnvironmentDialog({
  environment,
  onClose,
  onDeleted,
}: DeleteEnvironmentDialogProps) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteEnvironment(environment.id),
    onSuccess: () => {
      // Leave (or close) first, then drop the deleted environment's own query rather than
      // fetching it again into a 404, and refresh the lists and counts.
      onDeleted(environment);
      queryClient.removeQueries({ queryKey: environmentQueries.detail(environment.id).queryKey });
      void queryClient.invalidateQueries({
        queryKey: environmentQueries.all(),
        predicate: (query) => query.queryKey[1] !== "detail",
      });
    },
  });
  return (
    <ConfirmDialog
      open
      title={`Delete ${environment.name}?`}
      confirmLabel="Delete environment"
      onConfirm={() => remove.mutate()}
      onClose={onClose}
      pending={remove.isPending}
      error={remove.isError ? errorMessage(remove.error) : null}
    >
      {environment.name} is removed from Envdeck; its activity log is kept. The environment itself
      is not touched. This cannot be undone.
    </ConfirmDialog>
  );
}
