import EventBusyIcon from "@mui/icons-material/EventBusy";
import LockIcon from "@mui/icons-material/Lock";
import { CircularProgress, IconButton, Link, Stack, Tooltip, Typography } from "@mui/material";
import { Link as RouterLink } from "react-router";

import type { PromotionSlots } from "./slots";
import type { BoardEnvironment } from "./types";

interface StageEnvironmentProps {
  environment: BoardEnvironment;
  HealthChip: PromotionSlots["HealthChip"];
}

/**
 * One environment of a stage: its name, what would hold a promotion back (protected, reserved,
 * an operation running), its version and health.
 */
export default function StageEnvironment({ environment, HealthChip }: StageEnvironmentProps) {
  const { activeOperation, reservedBy } = environment;
  return (
    <Stack
      component="li"
      direction="row"
      spacing={1}
      alignItems="center"
      aria-label={environment.name}
    >
      <Link component={RouterLink} to={`/environments/${environment.id}`} sx={{ flexGrow: 1 }}>
        {environment.name}
      </Link>
      {environment.protected && (
        <Tooltip title="Protected">
          <LockIcon fontSize="small" color="action" aria-label="Protected" />
        </Tooltip>
      )}
      {reservedBy && (
        <Tooltip title={`Reserved by ${reservedBy}`}>
          <EventBusyIcon
            fontSize="small"
            color="action"
            aria-label={`Reserved by ${reservedBy}`}
          />
        </Tooltip>
      )}
      {activeOperation && (
        <Tooltip title={`Runs an operation (${activeOperation.type})`}>
          <IconButton
            size="small"
            component={RouterLink}
            to={`/operations/${activeOperation.id}`}
            aria-label={`${environment.name} runs an operation`}
          >
            <CircularProgress size={14} />
          </IconButton>
        </Tooltip>
      )}
      <Typography variant="body2" sx={{ fontFamily: "monospace" }}>
        {environment.version || "—"}
      </Typography>
      <HealthChip health={environment.health} />
    </Stack>
  );
}
