import { Alert, Card, CardContent, CircularProgress, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import ReadinessChip from "./ReadinessChip";
import StatusItem from "./StatusItem";
import { systemQueries } from "./queries";

function formatLatency(ms: number): string {
  return `${ms.toLocaleString("en", { maximumFractionDigits: 2 })} ms`;
}

/** The server's version, storage backend and readiness, refreshed every few seconds. */
export default function SystemStatusCard() {
  const health = useQuery(systemQueries.health());
  const readiness = useQuery(systemQueries.readiness());

  if (health.isPending || readiness.isPending) {
    return <CircularProgress aria-label="Loading system status" />;
  }
  if (health.isError || readiness.isError) {
    const reason = (health.error ?? readiness.error)?.message ?? "unknown error";
    return <Alert severity="error">Cannot reach the Envdeck server: {reason}</Alert>;
  }

  const ready = readiness.data;
  const backend = ready.ready ? ready.status.storage.backend : ready.backend;
  return (
    <Card variant="outlined" sx={{ maxWidth: 560 }}>
      <CardContent>
        <Typography component="dl" sx={{ m: 0 }}>
          <StatusItem label="Version">
            <Typography fontFamily="monospace">{health.data.version}</Typography>
          </StatusItem>
          <StatusItem label="Storage backend">
            <Typography>{backend ?? "unknown"}</Typography>
          </StatusItem>
          <StatusItem label="Readiness">
            <ReadinessChip ready={ready.ready} />
          </StatusItem>
          <StatusItem label="Storage latency">
            <Typography>
              {ready.ready ? formatLatency(ready.status.storage.latencyMs) : "—"}
            </Typography>
          </StatusItem>
        </Typography>
        {!ready.ready && (
          <Alert severity="error" sx={{ mt: 2 }}>
            {ready.message}
          </Alert>
        )}
      </CardContent>
    </Card>
  );
}
