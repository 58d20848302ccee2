import {
  Alert,
  Button,
  Checkbox,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Stack,
  Typography,
} from "@mui/material";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import { errorMessage } from "../../lib/serverErrors";
import CommandPreviewView from "./CommandPreviewView";
import { operationQueries, startRestart } from "./queries";
import type { Environment } from "./types";

interface RestartDialogProps {
  environment: Environment;
  onClose: () => void;
  /** The restart was accepted: follow this operation. */
  onStarted: (operationId: string) => void;
}

/** Confirm a restart after reading exactly what will run; force skips the graceful path. */
export default function RestartDialog({ environment, onClose, onStarted }: RestartDialogProps) {
  const [force, setForce] = useState(false);
  const preview = useQuery(operationQueries.preview(environment.id, "restart", null));
  const restart = useMutation({
    mutationFn: () => startRestart(environment.id, force),
    onSuccess: (accepted) => onStarted(accepted.operationId),
  });
  return (
    <ResponsiveDialog
      open
      onClose={restart.isPending ? undefined : onClose}
      maxWidth="sm"
      fullWidth
      aria-labelledby="restart-title"
    >
      <DialogTitle id="restart-title">Restart {environment.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          {restart.isError && <Alert severity="error">{errorMessage(restart.error)}</Alert>}
          {environment.protected && (
            <Alert severity="warning">This environment is protected.</Alert>
          )}
          <CommandPreviewView preview={preview} />
          <FormControlLabel
            control={<Checkbox checked={force} onChange={(e) => setForce(e.target.checked)} />}
            label="Force"
          />
          <Typography variant="body2" color="text.secondary">
            When the command succeeds, Envdeck waits until the health check passes before calling
            the restart done.
          </Typography>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={restart.isPending}>
          Cancel
        </Button>
        <Button
          variant="contained"
          color="warning"
          onClick={() => restart.mutate()}
          loading={restart.isPending}
          disabled={!preview.isSuccess}
        >
          Restart
        </Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
