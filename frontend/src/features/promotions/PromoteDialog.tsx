import {
  Alert,
  Button,
  DialogActions,
  DialogContent,
  DialogContentText,
  DialogTitle,
  Link,
  Stack,
  Typography,
} from "@mui/material";
import { Link as RouterLink } from "react-router";

import { ApiError } from "../../api/client";
import ResponsiveDialog from "../../components/ResponsiveDialog";
import { errorMessage } from "../../lib/serverErrors";
import { useInvalidatingMutation } from "../../lib/useInvalidatingMutation";
import GateList from "./GateList";
import { promotionEffect } from "./promotionText";
import { pipelineQueries, startPromotion } from "./queries";
import type { BoardStage, Gate, Promotion, Stage } from "./types";

/** The gates of a refusal (422 GATE_NOT_MET), or null for any other failure. */
export function refusedGates(error: unknown): Gate[] | null {
  if (!(error instanceof ApiError) || error.code !== "GATE_NOT_MET") return null;
  const gates = error.details.gates;
  return Array.isArray(gates) ? (gates as Gate[]) : [];
}

/** The open promotion a 409 names, if it names one. */
function openPromotionOf(error: unknown): string | null {
  if (!(error instanceof ApiError) || error.status !== 409) return null;
  const id = error.details.promotionId;
  return typeof id === "string" ? id : null;
}

function Failure({ error }: { error: Error }) {
  const gates = refusedGates(error);
  const open = openPromotionOf(error);
  return (
    <Alert severity="error">
      {errorMessage(error)}
      {gates && gates.length > 0 && <GateList gates={gates} label="Refused gates" />}
      {open && (
        <>
          {" "}
          <Link component={RouterLink} to={`/promotions/${open}`}>
            See that promotion
          </Link>
        </>
      )}
    </Alert>
  );
}

interface PromoteDialogProps {
  pipelineId: string;
  board: BoardStage;
  stage: Stage | undefined;
  /** Sent as is: what was confirmed is what is promoted, even if the stage moved on since. */
  version: string;
  onStarted: (promotion: Promotion) => void;
  onClose: () => void;
}

/** What a promotion will do, before it is asked for; a refusal says which gate failed. */
export default function PromoteDialog({
  pipelineId,
  board,
  stage,
  version,
  onStarted,
  onClose,
}: PromoteDialogProps) {
  const promote = useInvalidatingMutation({
    mutationFn: () => startPromotion(pipelineId, board.name, version),
    invalidates: pipelineQueries.all(),
    onSuccess: onStarted,
  });
  const moving = board.environments.filter((environment) => environment.version !== version);
  return (
    <ResponsiveDialog open onClose={promote.isPending ? undefined : onClose} maxWidth="sm" fullWidth>
      <DialogTitle>
        Promote {version} to {board.name}?
      </DialogTitle>
      <DialogContent>
        <Stack spacing={1.5}>
          {promote.isError && <Failure error={promote.error} />}
          <DialogContentText>
            This {promotionEffect(board, stage, version)}.
          </DialogContentText>
          {moving.length > 0 && (
            <Typography component="ul" variant="body2" sx={{ pl: 2, my: 0 }} aria-label="Upgrades">
              {moving.map((environment) => (
                <li key={environment.id}>
                  {environment.name}: {environment.version ?? "unknown version"} → {version}
                </li>
              ))}
            </Typography>
          )}
          <DialogContentText variant="body2">
            Each environment gets a normal upgrade, with its checks and verification. The promotion
            stops at the first failure
            {stage?.rollbackOnFailure === false
              ? "."
              : " and upgrades the environments it already moved back to their previous version."}
          </DialogContentText>
          {board.approvalsRequired > 0 && (
            <Alert severity="info">
              It waits for an admin other than you to approve it before anything is upgraded.
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} disabled={promote.isPending}>
          Cancel
        </Button>
        <Button variant="contained" onClick={() => promote.mutate()} loading={promote.isPending}>
          Promote {version}
        </Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
