import ExpandMoreIcon from "@mui/icons-material/ExpandMore";
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Link,
  Stack,
  Typography,
} from "@mui/material";
import { useState } from "react";
import { Link as RouterLink } from "react-router";

import PromotionStatusChip from "./PromotionStatusChip";
import type { PromotionSlots } from "./slots";
import type { Promotion, Target, TargetStatus } from "./types";

// What runs or went wrong opens (and stays open once it ends, to show how); the rest is a
// click away. The reader's own choice wins either way.
const OPEN_BY_DEFAULT: TargetStatus[] = ["running", "rolling_back", "failed", "rolled_back"];

interface TargetDetailsProps {
  target: Target;
  OperationPanel: PromotionSlots["OperationPanel"];
}

function TargetDetails({ target, OperationPanel }: TargetDetailsProps) {
  if (!target.operationId) {
    return (
      <Typography variant="body2" color="text.secondary">
        {target.message || "Not started."}
      </Typography>
    );
  }
  return (
    <Stack spacing={2}>
      {target.message && (
        <Alert severity={target.status === "failed" ? "error" : "info"}>{target.message}</Alert>
      )}
      <OperationPanel operationId={target.operationId} />
      {target.rollbackOperationId && (
        <>
          <Typography variant="subtitle2">Rollback</Typography>
          <OperationPanel operationId={target.rollbackOperationId} />
        </>
      )}
    </Stack>
  );
}

interface PromotionTargetsProps {
  promotion: Promotion;
  OperationPanel: PromotionSlots["OperationPanel"];
}

/** Each environment of the promotion: its status and, once started, its operation live. */
export default function PromotionTargets({ promotion, OperationPanel }: PromotionTargetsProps) {
  const [chosen, setChosen] = useState<Record<string, boolean>>({});
  const [opened, setOpened] = useState<ReadonlySet<string>>(() => new Set());
  const targets = promotion.targets ?? [];
  const opening = targets
    .filter((target) => OPEN_BY_DEFAULT.includes(target.status))
    .map((target) => target.environmentId)
    .filter((id) => !opened.has(id));
  // Remembered during render (React's pattern for state derived from changing props).
  if (opening.length > 0) setOpened(new Set([...opened, ...opening]));
  return (
    <Stack spacing={1} component="section" aria-label="Environments">
      <Typography variant="h6" component="h2">
        Environments
      </Typography>
      {targets.map((target) => (
        <Accordion
          key={target.environmentId}
          expanded={
            chosen[target.environmentId] ??
            (opened.has(target.environmentId) || OPEN_BY_DEFAULT.includes(target.status))
          }
          onChange={(_event, expanded) =>
            setChosen((current) => ({ ...current, [target.environmentId]: expanded }))
          }
          slotProps={{ transition: { unmountOnExit: true } }}
          aria-label={target.environmentName}
        >
          <AccordionSummary expandIcon={<ExpandMoreIcon />}>
            <Stack direction="row" spacing={1.5} alignItems="center" useFlexGap flexWrap="wrap">
              <Link
                component={RouterLink}
                to={`/environments/${target.environmentId}`}
                onClick={(event) => event.stopPropagation()}
              >
                {target.environmentName}
              </Link>
              <Typography variant="body2" color="text.secondary">
                {target.fromVersion || "unknown"} → {promotion.version}
              </Typography>
              <PromotionStatusChip status={target.status} />
            </Stack>
          </AccordionSummary>
          <AccordionDetails>
            <TargetDetails target={target} OperationPanel={OperationPanel} />
          </AccordionDetails>
        </Accordion>
      ))}
    </Stack>
  );
}
