import RestartAltIcon from "@mui/icons-material/RestartAlt";
import UpgradeIcon from "@mui/icons-material/Upgrade";
import { Box, Button, CircularProgress, Stack, Tooltip } from "@mui/material";
import { useState } from "react";

import { useSession } from "../../lib/useSession";
import { availability, type OperationKind } from "./availability";
import OperationDialog from "./OperationDialog";
import RestartDialog from "./RestartDialog";
import type { Environment } from "./types";
import UpgradeDialog from "./UpgradeDialog";

interface OperationActionsProps {
  environment: Environment;
  /** Small text buttons (a card) or the page's full-size ones. */
  compact?: boolean;
}

const ICONS = { restart: <RestartAltIcon />, upgrade: <UpgradeIcon /> } as const;
const LABELS = { restart: "Restart", upgrade: "Upgrade" } as const;

/**
 * Restart and Upgrade for one environment. A button that cannot be used now says why in its
 * tooltip (not configured, not allowed, busy); a started operation opens its panel.
 */
export default function OperationActions({ environment, compact = false }: OperationActionsProps) {
  const { session } = useSession();
  const role = session?.user.role ?? null;
  const [dialog, setDialog] = useState<OperationKind | null>(null);
  const [following, setFollowing] = useState<string | null>(null);
  const active = environment.activeOperation;
  const started = (operationId: string) => {
    setDialog(null);
    setFollowing(operationId);
  };
  const button = (kind: OperationKind) => {
    const { allowed, reason } = availability(environment, kind, role);
    return (
      <Tooltip key={kind} title={reason ?? ""} describeChild>
        {/* A disabled button gets no pointer events: the wrapper keeps the tooltip working. */}
        <Box component="span" sx={{ display: "inline-flex" }}>
          <Button
            size={compact ? "small" : "medium"}
            variant={compact ? "text" : "outlined"}
            startIcon={ICONS[kind]}
            disabled={!allowed}
            onClick={() => setDialog(kind)}
            aria-label={compact ? `${LABELS[kind]} ${environment.name}` : undefined}
          >
            {LABELS[kind]}
          </Button>
        </Box>
      </Tooltip>
    );
  };
  return (
    <>
      <Stack direction="row" spacing={1} alignItems="center">
        {button("restart")}
        {button("upgrade")}
        {active && (
          <Button
            size={compact ? "small" : "medium"}
            color="info"
            startIcon={<CircularProgress size={14} color="inherit" aria-hidden />}
            onClick={() => setFollowing(active.id)}
            // The name starts with the words on the button, as speech control expects.
            aria-label={
              compact
                ? `Running ${active.type} of ${environment.name}: follow it`
                : `Follow operation: the running ${active.type} of ${environment.name}`
            }
          >
            {compact ? "Running" : "Follow operation"}
          </Button>
        )}
      </Stack>
      {dialog === "restart" && (
        <RestartDialog
          environment={environment}
          onClose={() => setDialog(null)}
          onStarted={started}
        />
      )}
      {dialog === "upgrade" && (
        <UpgradeDialog
          environment={environment}
          onClose={() => setDialog(null)}
          onStarted={started}
        />
      )}
      {following && <OperationDialog operationId={following} onClose={() => setFollowing(null)} />}
    </>
  );
}
