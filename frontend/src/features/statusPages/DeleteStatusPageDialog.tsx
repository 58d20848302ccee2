import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { deleteStatusPage, type StatusPage, statusPageQueries } from "./queries";

interface DeleteStatusPageDialogProps {
  page: StatusPage;
  onClose: () => void;
  onDeleted: (page: StatusPage) => void;
}

/** Ask, then delete a status page. */
export default function DeleteStatusPageDialog({
  page,
  onClose,
  onDeleted,
}: DeleteStatusPageDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Delete ${page.title}?`}
      confirmLabel="Delete page"
      action={() => deleteStatusPage(page.id)}
      invalidates={statusPageQueries.all()}
      onDone={() => onDeleted(page)}
      onClose={onClose}
    >
      /status/{page.slug} stops answering; links to it show “not found”. This cannot be undone.
    </ConfirmActionDialog>
  );
}
