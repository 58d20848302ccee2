import { Alert, Box, LinearProgress, Paper, Typography } from "@mui/material";

import { formatDateTime } from "../../lib/formatDate";
import { browserTimeZone, formatInZone } from "./schedule";
import type { SchedulePreview } from "./useSchedulePreview";

interface SchedulePreviewListProps {
  preview: SchedulePreview;
  /** A recurring window's zone: its runs are also shown in that zone's clock when it differs. */
  timezone: string | null;
}

/** The next runs of the schedule being edited, as the server computes them. */
export default function SchedulePreviewList({ preview, timezone }: SchedulePreviewListProps) {
  const otherZone = timezone && timezone !== browserTimeZone() ? timezone : null;
  const { occurrences, problem } = preview;
  return (
    <Paper variant="outlined" component="section" aria-label="Next runs" sx={{ p: 1.5 }}>
      <Typography variant="subtitle2" component="h3">
        Next runs (your time)
      </Typography>
      {preview.pending ? (
        <LinearProgress aria-label="Loading the next runs" sx={{ my: 1 }} />
      ) : (
        <Box sx={{ height: 4, my: 1 }} />
      )}
      {problem && <Alert severity="warning">{problem}</Alert>}
      {occurrences === undefined && !problem && !preview.pending && (
        <Typography variant="body2" color="text.secondary">
          Fill in the schedule to see when it runs.
        </Typography>
      )}
      {occurrences?.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          It does not run again.
        </Typography>
      )}
      {occurrences && occurrences.length > 0 && (
        <Box component="ol" sx={{ m: 0, pl: 3 }}>
          {occurrences.map((run) => (
            <Typography component="li" variant="body2" key={run.start}>
              {formatDateTime(run.start)} → {formatDateTime(run.end)}
              {new Date(run.start).getTime() <= Date.now() && " (running now)"}
              {otherZone && (
                <Typography component="span" variant="body2" color="text.secondary">
                  {" "}
                  ({formatInZone(run.start, otherZone)} in {otherZone})
                </Typography>
              )}
            </Typography>
          ))}
        </Box>
      )}
    </Paper>
  );
}
