import { Alert, Box, Button, CircularProgress, Link, Stack, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";

import { hasRole } from "../../lib/roles";
import { errorMessage } from "../../lib/serverErrors";
import { useSession } from "../../lib/useSession";
import { elapsedMs, formatElapsed } from "./formatElapsed";
import OperationOutput from "./OperationOutput";
import OperationStatusChip from "./OperationStatusChip";
import { cancelOperation, operationQueries } from "./queries";
import RetryButton, { canRetry } from "./RetryButton";
import { isFinished, type Operation, TYPE_LABELS } from "./types";
import { useOperationOutput } from "./useOperationOutput";

function useTick(active: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

function title(operation: Operation): string {
  const label = TYPE_LABELS[operation.type] ?? operation.type;
  const version = operation.params?.version;
  return version
    ? `${label} of ${operation.environmentName} to ${version}`
    : `${label} of ${operation.environmentName}`;
}

function Verification({ operation }: { operation: Operation }) {
  const seen = operation.verification;
  if (!seen) return null;
  const parts = [
    seen.health ? `health ${seen.health}` : null,
    seen.version ? `version ${seen.version}` : null,
    typeof seen.attempts === "number" ? `${seen.attempts} checks` : null,
  ].filter(Boolean);
  const severity = seen.verified === true ? "success" : seen.verified === false ? "error" : "info";
  return (
    <Alert severity={severity} aria-label="Verification">
      {seen.verified === true ? "Verified" : seen.verified === false ? "Not verified" : "Verifying"}
      {parts.length > 0 && `: ${parts.join(", ")}`}
      {seen.message && ` (${seen.message})`}
    </Alert>
  );
}

interface OperationPanelProps {
  operationId: string;
  /** A retry was accepted: show that operation (by default, on its own page). */
  onRetried?: (operationId: string) => void;
}

/**
 * One operation as it runs: status, elapsed time, the output streaming in, and once it ends the
 * exit status, the verification and any rollback. Its requester or an admin may cancel it;
 * anyone who may operate can retry a restart or upgrade that failed.
 */
export default function OperationPanel({ operationId, onRetried }: OperationPanelProps) {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { session } = useSession();
  const found = useQuery(operationQueries.detail(operationId));
  const operation = found.data;
  const output = useOperationOutput(operationId);
  const finished = operation ? isFinished(operation.status) : false;
  const now = useTick(Boolean(operation) && !finished);
  const cancel = useMutation({
    mutationFn: () => cancelOperation(operationId),
    onSuccess: (cancelled) =>
      queryClient.setQueryData<Operation>(operationQueries.detail(operationId).queryKey, (known) =>
        known ? { ...known, ...cancelled, output: known.output } : cancelled,
      ),
  });

  if (found.isPending) return <CircularProgress aria-label="Loading the operation" />;
  if (found.isError) return <Alert severity="error">{errorMessage(found.error)}</Alert>;
  const op = found.data;
  const elapsed = elapsedMs(op, now);
  const user = session?.user;
  const mayCancel =
    !finished &&
    user !== undefined &&
    (hasRole(user.role, "admin") || (op.requestedBy?.userId ?? null) === user.id);
  const mayRetry = user !== undefined && hasRole(user.role, "user") && canRetry(op);
  const followRetry = onRetried ?? ((id: string) => void navigate(`/operations/${id}`));
  return (
    <Stack spacing={2} component="section" aria-label="Operation">
      <Stack direction="row" spacing={1.5} alignItems="center" useFlexGap flexWrap="wrap">
        <Typography variant="h6" component="h2">
          {title(op)}
        </Typography>
        <OperationStatusChip status={op.status} />
        <Typography variant="body2" color="text.secondary" aria-label="Duration">
          {elapsed === null ? "" : formatElapsed(elapsed)}
        </Typography>
        <Box sx={{ flexGrow: 1 }} />
        {mayCancel && (
          <Button
            color="error"
            variant="outlined"
            onClick={() => cancel.mutate()}
            loading={cancel.isPending}
            // Accepted (202): the script is being stopped; the outcome arrives live.
            disabled={cancel.isSuccess}
          >
            {cancel.isSuccess ? "Stopping…" : "Cancel operation"}
          </Button>
        )}
        {mayRetry && <RetryButton operation={op} onStarted={followRetry} />}
      </Stack>
      <Typography variant="body2" color="text.secondary">
        Requested by {op.requestedBy?.username || "someone"}
        {op.params?.previousVersion ? ` · from version ${op.params.previousVersion}` : ""}
        {op.params?.force ? " · forced" : ""}
      </Typography>
      {cancel.isError && <Alert severity="error">{errorMessage(cancel.error)}</Alert>}
      <OperationOutput text={output} running={!finished} />
      {(typeof op.exitCode === "number" || typeof op.httpStatus === "number") && (
        <Typography variant="body2">
          {typeof op.exitCode === "number" && `Exit status ${op.exitCode}`}
          {typeof op.exitCode === "number" && typeof op.httpStatus === "number" && " · "}
          {typeof op.httpStatus === "number" && `HTTP ${op.httpStatus}`}
        </Typography>
      )}
      {/* A failed verification's message is the verification's own: said once, there. */}
      {op.error && op.error.message !== op.verification?.message && (
        <Alert severity="error" aria-label="Error">
          {op.error.code}: {op.error.message}
        </Alert>
      )}
      <Verification operation={op} />
      {op.rollbackOperationId && (
        <Typography variant="body2">
          Rolled back by{" "}
          <Link component={RouterLink} to={`/operations/${op.rollbackOperationId}`}>
            the rollback operation
          </Link>
        </Typography>
      )}
      {op.rollbackOf && (
        <Typography variant="body2">
          Rolls back{" "}
          <Link component={RouterLink} to={`/operations/${op.rollbackOf}`}>
            the failed upgrade
          </Link>
        </Typography>
      )}
    </Stack>
  );
}
