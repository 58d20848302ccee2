import { useMutation, useQueryClient } from "@tanstack/react-query";

import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
import { deleteWindow, maintenanceQueries, type MaintenanceWindow } from "./queries";

interface DeleteMaintenanceWindowDialogProps {
  maintenance: MaintenanceWindow;
  onClose: () => void;
  onDeleted: (maintenance: MaintenanceWindow) => void;
}

/** Ask, then delete a maintenance maintenance. */
export default function DeleteMaintenanceWindowDialog({
  maintenance,
  onClose,
  onDeleted,
}: DeleteMaintenanceWindowDialogProps) {
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteWindow(maintenance.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: maintenanceQueries.all() });
      onDeleted(maintenance);
    },
  });
  return (
    <ConfirmDialog
      open
      title={`Delete ${maintenance.name}?`}
      confirmLabel="Delete window"
      onConfirm={() => remove.mutate()}
      onClose={onClose}
      pending={remove.isPending}
      error={remove.isError ? errorMessage(remove.error) : null}
    >
      {maintenance.name} is deleted: alerts about its environments are no longer silenced by it.
      This cannot be undone.
    </ConfirmDialog>
  );
}
