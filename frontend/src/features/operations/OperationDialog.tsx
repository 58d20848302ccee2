import { Button, DialogActions, DialogContent, DialogTitle } from "@mui/material";
import { useState } from "react";
import { Link as RouterLink } from "react-router";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import OperationPanel from "./OperationPanel";

interface OperationDialogProps {
  operationId: string;
  onClose: () => void;
}

/** Follow an operation without leaving the page; closing it does not stop the operation. */
export default function OperationDialog({ operationId, onClose }: OperationDialogProps) {
  // A retry started from the panel is followed here, in place of the one that failed.
  const [shown, setShown] = useState(operationId);
  return (
    <ResponsiveDialog
      open
      onClose={onClose}
      maxWidth="md"
      fullWidth
      aria-labelledby="operation-title"
    >
      <DialogTitle id="operation-title">Operation</DialogTitle>
      <DialogContent>
        <OperationPanel key={shown} operationId={shown} onRetried={setShown} />
      </DialogContent>
      <DialogActions>
        <Button component={RouterLink} to={`/operations/${shown}`}>
          Open in Operations
        </Button>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
