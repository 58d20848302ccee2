import {
  Alert,
  Box,
  CircularProgress,
  Paper,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import { keepPreviousData, useQuery, useQueryClient } from "@tanstack/react-query";
import { type ReactNode, useEffect, useRef, useState } from "react";

import { formatResponseTime } from "../../lib/duration";
import type { ServerMessage } from "../../lib/realtime/protocol";
import { useRealtimeMessage } from "../../lib/realtime/useRealtimeMessage";
import { errorMessage } from "../../lib/serverErrors";
import CheckNowButton from "./CheckNowButton";
import HealthSince from "./HealthSince";
import { healthQueries } from "./queries";
import RecentChecks from "./RecentChecks";
import ResponseTimeChart from "./ResponseTimeChart";
import { HISTORY_RANGES, type HealthStatus, type HistoryRange } from "./types";
import UptimeSummary from "./UptimeSummary";

// Checks of one environment can come every 10 s: refetch at most this often.
const REFRESH_BATCH_MS = 2_000;

interface HealthTabProps {
  environmentId: string;
  status: HealthStatus | null | undefined;
  /** Users and admins may run a check; viewers only read. */
  canCheck: boolean;
}

interface SectionProps {
  title: string;
  action?: ReactNode;
  children: ReactNode;
}

function Section({ title, action, children }: SectionProps) {
  return (
    <Paper variant="outlined" component="section" aria-label={title} sx={{ p: 2 }}>
      <Stack direction="row" alignItems="center" spacing={2} sx={{ mb: 1.5 }}>
        <Typography variant="h6" component="h2" sx={{ flexGrow: 1 }}>
          {title}
        </Typography>
        {action}
      </Stack>
      {children}
    </Paper>
  );
}

/** Refetch this environment's charts and checks when a status update about it arrives. */
function useLiveHealth(environmentId: string): void {
  const queryClient = useQueryClient();
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  useRealtimeMessage("status_update", (message: ServerMessage) => {
    const payload = message.payload as { environmentId?: unknown } | undefined;
    if (payload?.environmentId !== environmentId || timer.current !== null) return;
    timer.current = setTimeout(() => {
      timer.current = null;
      void queryClient.invalidateQueries({ queryKey: healthQueries.ofEnvironment(environmentId) });
    }, REFRESH_BATCH_MS);
  });
}

/** An environment's health: response times, uptime, the latest checks, and Check now. */
export default function HealthTab({ environmentId, status, canCheck }: HealthTabProps) {
  const [range, setRange] = useState<HistoryRange>("1h");
  const history = useQuery({
    ...healthQueries.history(environmentId, range),
    placeholderData: keepPreviousData,
  });
  const uptime = useQuery(healthQueries.uptime(environmentId));
  const checks = useQuery(healthQueries.checks(environmentId));
  useLiveHealth(environmentId);
  const health = status?.health ?? "unknown";

  return (
    <Stack spacing={2}>
      <Section title="Current status">
        <Stack spacing={1.5} alignItems="flex-start">
          <Box sx={{ display: "flex", gap: 3, flexWrap: "wrap" }}>
            <HealthSince health={health} since={status?.since} />
            <Typography variant="caption" color="text.secondary">
              Response time: {formatResponseTime(status?.responseTime)}
            </Typography>
            {status?.message && (
              <Typography variant="caption" color="text.secondary">
                {status.message}
              </Typography>
            )}
          </Box>
          {canCheck && <CheckNowButton environmentId={environmentId} />}
        </Stack>
      </Section>

      <Section
        title="Response time"
        action={
          <ToggleButtonGroup
            size="small"
            exclusive
            value={range}
            onChange={(_event, next: HistoryRange | null) => next && setRange(next)}
            aria-label="Period"
          >
            {HISTORY_RANGES.map((r) => (
              <ToggleButton key={r} value={r}>
                {r}
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        }
      >
        {history.isError && <Alert severity="error">{errorMessage(history.error)}</Alert>}
        {history.isPending ? (
          <CircularProgress aria-label="Loading response times" />
        ) : (
          history.data && (
            <ResponseTimeChart
              points={history.data.points}
              range={range}
              bucketSeconds={history.data.bucketSeconds}
            />
          )
        )}
      </Section>

      <Section title="Uptime">
        {uptime.isError && <Alert severity="error">{errorMessage(uptime.error)}</Alert>}
        {uptime.data && <UptimeSummary windows={uptime.data.windows} />}
      </Section>

      <Section title="Recent checks">
        {checks.isError && <Alert severity="error">{errorMessage(checks.error)}</Alert>}
        {checks.data && <RecentChecks checks={checks.data} />}
      </Section>
    </Stack>
  );
}
