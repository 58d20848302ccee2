import ReplayIcon from "@mui/icons-material/Replay";
import { Alert, Box, Button } from "@mui/material";
import { useMutation } from "@tanstack/react-query";

import { errorMessage } from "../../lib/serverErrors";
import { startRestart, startUpgrade } from "./queries";
import type { Operation, OperationStatus } from "./types";

/** The ends worth trying again: the command or its verification did not get there. */
const RETRYABLE: ReadonlySet<OperationStatus> = new Set(["failed", "timed_out", "interrupted"]);

/** Tell whether an operation can be started again as it was (a restart, or an upgrade). */
export function canRetry(operation: Operation): boolean {
  if (!RETRYABLE.has(operation.status)) return false;
  if (operation.type === "upgrade") return Boolean(operation.params?.version);
  return operation.type === "restart";
}

interface RetryButtonProps {
  operation: Operation;
  /** The new operation was accepted: follow it. */
  onStarted: (operationId: string) => void;
}

/** Start the same restart (forced or not) or the upgrade to the same version again. */
export default function RetryButton({ operation, onStarted }: RetryButtonProps) {
  const { environmentId, params } = operation;
  const retry = useMutation({
    mutationFn: () =>
      operation.type === "upgrade"
        ? startUpgrade(environmentId, params?.version ?? "")
        : startRestart(environmentId, params?.force ?? false),
    onSuccess: (accepted) => onStarted(accepted.operationId),
  });
  return (
    <>
      <Button
        variant="contained"
        startIcon={<ReplayIcon />}
        onClick={() => retry.mutate()}
        loading={retry.isPending}
      >
        Retry
      </Button>
      {retry.isError && (
        // A line of its own under the header (409: another operation holds the environment).
        <Box sx={{ flexBasis: "100%" }}>
          <Alert severity="error">{errorMessage(retry.error)}</Alert>
        </Box>
      )}
    </>
  );
}
