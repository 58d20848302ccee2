import {
  Alert,
  Autocomplete,
  Button,
  CircularProgress,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Radio,
  RadioGroup,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
  useMediaQuery,
} from "@mui/material";
import type { Theme } from "@mui/material/styles";
import { useQueries } from "@tanstack/react-query";
import { useState } from "react";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import { errorMessage } from "../../lib/serverErrors";
import { useSession } from "../../lib/useSession";
import { availability, type OperationKind } from "./availability";
import {
  type BulkOutcome,
  KIND_LABELS,
  MAX_BULK,
  planUpgrade,
  startEach,
  type UpgradeChoice,
  type UpgradePlan,
} from "./bulkOperations";
import BulkResultsTable from "./BulkResultsTable";
import { operationQueries, startRestart, startUpgrade } from "./queries";
import type { Environment } from "./types";

interface BulkOperationDialogProps {
  kind: OperationKind;
  /** The selected environments, in the order they are listed. */
  environments: Environment[];
  onClose: () => void;
}

type Plans = Record<string, UpgradePlan | "loading">;

function environmentsWord(count: number) {
  return `${count} environment${count === 1 ? "" : "s"}`;
}

/** What the confirmation says an environment will get, or why it is left out. */
function PlanCell({ plan }: { plan: UpgradePlan | "loading" | undefined }) {
  if (plan === undefined) return null;
  if (plan === "loading") return <CircularProgress size={14} aria-label="Loading versions" />;
  if ("skip" in plan) {
    return (
      <Typography variant="body2" color="text.secondary">
        Skipped: {plan.skip}
      </Typography>
    );
  }
  return <Typography variant="body2">→ {plan.version}</Typography>;
}

/**
 * Restart or upgrade several environments: a confirmation listing each (and, for an upgrade,
 * the version each gets), then one ordinary operation per environment, each with the server's
 * own checks, and a result per environment: started (with its live status), refused with the
 * server's reason, or skipped.
 */
export default function BulkOperationDialog({
  kind,
  environments,
  onClose,
}: BulkOperationDialogProps) {
  const { session } = useSession();
  const role = session?.user.role ?? null;
  const fullScreen = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  const [choice, setChoice] = useState<UpgradeChoice>({ kind: "newest" });
  const [outcomes, setOutcomes] = useState<Record<string, BulkOutcome> | null>(null);
  const chosen = environments.slice(0, MAX_BULK);
  const label = KIND_LABELS[kind];

  const versions = useQueries({
    queries: chosen.map((environment) => ({
      ...operationQueries.versions(environment.id),
      enabled: kind === "upgrade",
      retry: false,
    })),
  });
  const plans: Plans = {};
  const offered = new Set<string>();
  if (kind === "upgrade") {
    chosen.forEach((environment, index) => {
      const answer = versions[index];
      if (answer?.data) {
        answer.data.availableVersions.forEach((version) => offered.add(version));
        plans[environment.id] = planUpgrade(answer.data, choice);
      } else if (answer?.isError) {
        plans[environment.id] = { skip: `No version list: ${errorMessage(answer.error)}` };
      } else {
        plans[environment.id] = "loading";
      }
    });
  }
  const planned = chosen.filter((environment) => {
    const plan = plans[environment.id];
    return kind === "restart" || (plan !== "loading" && plan !== undefined && "version" in plan);
  });
  const loading = Object.values(plans).includes("loading");
  const running = outcomes !== null && Object.values(outcomes).some((o) => o.state === "waiting");

  const start = () => {
    const initial: Record<string, BulkOutcome> = {};
    for (const environment of chosen) {
      const plan = plans[environment.id];
      initial[environment.id] =
        plan !== undefined && plan !== "loading" && "skip" in plan
          ? { state: "skipped", reason: plan.skip }
          : { state: "waiting" };
    }
    setOutcomes(initial);
    void startEach(
      planned,
      (environment) => {
        if (kind === "restart") return startRestart(environment.id, false);
        const plan = plans[environment.id] as { version: string };
        return startUpgrade(environment.id, plan.version);
      },
      (id, outcome) => setOutcomes((current) => ({ ...current, [id]: outcome })),
    );
  };

  const title =
    outcomes === null
      ? `${label} ${environmentsWord(chosen.length)}`
      : `${label}: results`;
  return (
    <ResponsiveDialog
      open
      onClose={running ? undefined : onClose}
      maxWidth="md"
      fullWidth
      fullScreen={fullScreen}
      aria-labelledby="bulk-operation-title"
    >
      <DialogTitle id="bulk-operation-title">{title}</DialogTitle>
      <DialogContent>
        {outcomes === null ? (
          <Stack spacing={2}>
            {environments.length > MAX_BULK && (
              <Alert severity="warning">
                At most {MAX_BULK} environments at once: the first {MAX_BULK} of the{" "}
                {environments.length} selected are listed.
              </Alert>
            )}
            <Typography variant="body2" color="text.secondary">
              Each is a separate {kind} with its own checks: the server may refuse some (not
              allowed, busy, reserved by someone else, in a maintenance window), and says why.
            </Typography>
            {kind === "upgrade" && (
              <UpgradeChoiceField choice={choice} onChoice={setChoice} offered={[...offered]} />
            )}
            <TableContainer sx={{ maxHeight: 360 }}>
              <Table size="small" stickyHeader aria-label={`Environments to ${kind}`}>
                <TableHead>
                  <TableRow>
                    <TableCell>Environment</TableCell>
                    {kind === "upgrade" && <TableCell>Version</TableCell>}
                    {kind === "upgrade" && <TableCell>Upgrade</TableCell>}
                    <TableCell>Note</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {chosen.map((environment) => {
                    const hint = availability(environment, kind, role).reason;
                    return (
                      <TableRow key={environment.id}>
                        <TableCell component="th" scope="row">
                          {environment.name}
                        </TableCell>
                        {kind === "upgrade" && (
                          <TableCell>{environment.systemInfo?.appVersion || "—"}</TableCell>
                        )}
                        {kind === "upgrade" && (
                          <TableCell>
                            <PlanCell plan={plans[environment.id]} />
                          </TableCell>
                        )}
                        <TableCell>
                          {hint && (
                            <Typography variant="body2" color="warning.main">
                              Likely refused: {hint}
                            </Typography>
                          )}
                        </TableCell>
                      </TableRow>
                    );
                  })}
                </TableBody>
              </Table>
            </TableContainer>
          </Stack>
        ) : (
          <Stack spacing={2}>
            <Typography variant="body2" role="status">
              {summaryLine(outcomes)}
            </Typography>
            <BulkResultsTable
              rows={chosen.map((environment) => ({
                id: environment.id,
                name: environment.name,
                outcome: outcomes[environment.id] ?? { state: "waiting" },
              }))}
            />
          </Stack>
        )}
      </DialogContent>
      <DialogActions>
        {outcomes === null ? (
          <>
            <Button onClick={onClose}>Cancel</Button>
            <Button
              variant="contained"
              color="warning"
              onClick={start}
              disabled={loading || planned.length === 0}
            >
              {`${label} ${environmentsWord(planned.length)}`}
            </Button>
          </>
        ) : (
          <Button onClick={onClose} disabled={running}>
            Close
          </Button>
        )}
      </DialogActions>
    </ResponsiveDialog>
  );
}

function summaryLine(outcomes: Record<string, BulkOutcome>): string {
  const count = (state: BulkOutcome["state"]) =>
    Object.values(outcomes).filter((o) => o.state === state).length;
  const parts = [`${count("started")} started`, `${count("refused")} refused`];
  if (count("skipped") > 0) parts.push(`${count("skipped")} skipped`);
  if (count("waiting") > 0) parts.push(`${count("waiting")} starting`);
  return parts.join(", ");
}

interface UpgradeChoiceFieldProps {
  choice: UpgradeChoice;
  onChoice: (choice: UpgradeChoice) => void;
  /** Every version any of the environments lists. */
  offered: string[];
}

/** Newest listed for each, or one version for all (left out where it is not listed). */
function UpgradeChoiceField({ choice, onChoice, offered }: UpgradeChoiceFieldProps) {
  const version = choice.kind === "version" ? choice.version : null;
  return (
    <Stack spacing={1}>
      <RadioGroup
        aria-label="Version to upgrade to"
        value={choice.kind}
        onChange={(event) =>
          onChoice(
            event.target.value === "newest"
              ? { kind: "newest" }
              : { kind: "version", version: version ?? offered[0] ?? "" },
          )
        }
      >
        <FormControlLabel value="newest" control={<Radio />} label="The newest each one lists" />
        <FormControlLabel value="version" control={<Radio />} label="One version for all" />
      </RadioGroup>
      {choice.kind === "version" && (
        <Autocomplete
          options={offered}
          value={version || null}
          onChange={(_event, next) => next && onChoice({ kind: "version", version: next })}
          renderInput={(params) => <TextField {...params} label="Version" size="small" />}
          sx={{ maxWidth: 280 }}
        />
      )}
    </Stack>
  );
}
