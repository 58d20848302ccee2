import {
  Alert,
  Box,
  Button,
  Divider,
  Link,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";

import { errorMessage } from "../../lib/serverErrors";
import { useDebouncedValue } from "../../lib/useDebouncedValue";
import GateList from "./GateList";
import PromoteDialog from "./PromoteDialog";
import { promoteLabel, verifiedText } from "./promotionText";
import { pipelineQueries } from "./queries";
import type { PromotionSlots } from "./slots";
import StageEnvironment from "./StageEnvironment";
import type { BoardStage, GateCheck, Promotion, Stage } from "./types";

/** The open promotion the board names for a stage, whatever of it the server sends. */
interface ActivePromotion {
  id: string;
  version?: string;
  status?: string;
}

function activePromotionOf(value: unknown): ActivePromotion | null {
  if (typeof value === "string") return { id: value };
  if (typeof value !== "object" || value === null) return null;
  const { id, version, status } = value as Record<string, unknown>;
  return typeof id === "string"
    ? {
        id,
        version: typeof version === "string" ? version : undefined,
        status: typeof status === "string" ? status.replace("_", " ") : undefined,
      }
    : null;
}

/** Into the first stage the version is typed; its gates are asked for once the typing stops. */
function useFirstStageGates(pipelineId: string, stage: string, typed: string) {
  const version = useDebouncedValue(typed.trim(), 400);
  const check = useQuery({
    ...pipelineQueries.gates(pipelineId, stage, version),
    enabled: version !== "",
  });
  return { version, check };
}

interface StageColumnProps {
  pipelineId: string;
  board: BoardStage;
  /** The stage as the pipeline defines it (maxParallel, rollbackOnFailure). */
  stage: Stage | undefined;
  first: boolean;
  canPromote: boolean;
  now: number;
  HealthChip: PromotionSlots["HealthChip"];
  onStarted: (promotion: Promotion) => void;
}

/**
 * One stage of the board: its environments (version, health), the version verified on it and
 * since when, the gates a promotion into it meets now and the button that starts one.
 */
export default function StageColumn({
  pipelineId,
  board,
  stage,
  first,
  canPromote,
  now,
  HealthChip,
  onStarted,
}: StageColumnProps) {
  const headingId = useId();
  const [typed, setTyped] = useState("");
  const [confirming, setConfirming] = useState(false);
  const firstGates = useFirstStageGates(pipelineId, board.name, first ? typed : "");
  const check: GateCheck | undefined = first
    ? firstGates.version
      ? firstGates.check.data
      : undefined
    : board.next;
  const version = first ? firstGates.version || null : (board.next.version ?? null);
  const active = activePromotionOf(board.activePromotion);
  const ready = version !== null && check?.passed === true && check.version === version && !active;

  return (
    <Paper
      variant="outlined"
      component="section"
      aria-labelledby={headingId}
      sx={{
        p: 2,
        minWidth: 260,
        flex: "1 1 0",
        display: "flex",
        flexDirection: "column",
        gap: 1.5,
      }}
    >
      <Box>
        <Typography id={headingId} variant="h6" component="h2">
          {board.name}
        </Typography>
        <Typography variant="body2" color="text.secondary">
          {verifiedText(board.verifiedVersion, board.verifiedSince, now)}
          {board.verifiedVersion && board.soakTime !== "0s" && (
            <> · soak {board.soakTime}{board.soaked ? ", done" : ""}</>
          )}
        </Typography>
      </Box>
      <Stack
        spacing={0.75}
        component="ul"
        aria-label={`Environments of ${board.name}`}
        sx={{ p: 0, m: 0, listStyle: "none" }}
      >
        {board.environments.map((environment) => (
          <StageEnvironment
            key={environment.id}
            environment={environment}
            HealthChip={HealthChip}
          />
        ))}
        {board.environments.length === 0 && (
          <Typography component="li" variant="body2" color="text.secondary">
            No environment
          </Typography>
        )}
      </Stack>
      <Divider />
      {active && (
        <Alert severity="info">
          <Link component={RouterLink} to={`/promotions/${active.id}`}>
            A promotion{active.version ? ` of ${active.version}` : ""} is{" "}
            {active.status ?? "open"}
          </Link>
        </Alert>
      )}
      {first && (
        <TextField
          size="small"
          label={`Version to promote to ${board.name}`}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          autoComplete="off"
        />
      )}
      {first && firstGates.check.isError && (
        <Alert severity="error">{errorMessage(firstGates.check.error)}</Alert>
      )}
      {check && (
        <Box>
          <Typography variant="subtitle2">
            {check.passed
              ? `Gates into ${board.name}: all passed`
              : `Gates into ${board.name}: refused`}
          </Typography>
          <GateList gates={check.gates} label={`Gates into ${board.name}`} />
        </Box>
      )}
      <Box sx={{ flexGrow: 1 }} />
      {canPromote && version !== null && (
        <Button
          variant={ready ? "contained" : "outlined"}
          disabled={!ready}
          onClick={() => setConfirming(true)}
          sx={{ textTransform: "none" }}
        >
          {promoteLabel(board, stage, version)}
        </Button>
      )}
      {canPromote && version === null && !first && (
        <Typography variant="body2" color="text.secondary">
          Nothing to promote to {board.name} yet
        </Typography>
      )}
      {confirming && version !== null && (
        <PromoteDialog
          pipelineId={pipelineId}
          board={board}
          stage={stage}
          version={version}
          onStarted={onStarted}
          onClose={() => setConfirming(false)}
        />
      )}
    </Paper>
  );
}
