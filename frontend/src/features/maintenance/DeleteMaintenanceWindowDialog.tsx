import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { deleteWindow, maintenanceQueries, type MaintenanceWindow } from "./queries";

interface DeleteMaintenanceWindowDialogProps {
  maintenance: MaintenanceWindow;
  onClose: () => void;
  onDeleted: (maintenance: MaintenanceWindow) => void;
}

/** Ask, then delete a maintenance window. */
export default function DeleteMaintenanceWindowDialog({
  maintenance,
  onClose,
  onDeleted,
}: DeleteMaintenanceWindowDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Delete ${maintenance.name}?`}
      confirmLabel="Delete window"
      action={() => deleteWindow(maintenance.id)}
      invalidates={maintenanceQueries.all()}
      onDone={() => onDeleted(maintenance)}
      onClose={onClose}
    >
      {maintenance.name} is deleted: alerts about its environments are no longer silenced by it.
      This cannot be undone.
    </ConfirmActionDialog>
  );
}
