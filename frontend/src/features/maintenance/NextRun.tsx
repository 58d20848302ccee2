import { Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";

import { formatDateTime } from "../../lib/formatDate";
import { type MaintenanceWindow, maintenanceQueries } from "./queries";

/** "Running until …", "Next: …", or why there is no next run. */
export default function NextRun({ maintenance }: { maintenance: MaintenanceWindow }) {
  const next = useQuery({
    ...maintenanceQueries.nextRun(maintenance.id),
    enabled: maintenance.enabled,
  });
  if (!maintenance.enabled) return <Typography variant="body2">Disabled</Typography>;
  if (next.isPending) return <Typography variant="body2">…</Typography>;
  if (next.isError || next.data === null) {
    return (
      <Typography variant="body2" color="text.secondary">
        {next.isError ? "—" : "Over"}
      </Typography>
    );
  }
  const running = new Date(next.data.start).getTime() <= Date.now();
  return running ? (
    <Typography variant="body2" color="info.main" fontWeight="medium">
      Running until {formatDateTime(next.data.end)}
    </Typography>
  ) : (
    <Typography variant="body2">Next: {formatDateTime(next.data.start)}</Typography>
  );
}
