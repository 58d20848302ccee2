import {
  Chip,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";

import { formatResponseTime } from "../../lib/duration";
import type { HealthSample } from "./types";

/** Checks come seconds apart: their times show the seconds. */
function checkTime(iso: string): string {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

const COLOURS = { healthy: "success", unhealthy: "error", unknown: "default" } as const;

/** The latest checks, newest first. */
export default function RecentChecks({ checks }: { checks: HealthSample[] }) {
  if (checks.length === 0) {
    return <Typography color="text.secondary">No checks yet.</Typography>;
  }
  return (
    <TableContainer>
      <Table size="small" aria-label="Recent checks">
        <TableHead>
          <TableRow>
            <TableCell>Time</TableCell>
            <TableCell>Result</TableCell>
            <TableCell align="right">Response time</TableCell>
            <TableCell align="right">Status code</TableCell>
            <TableCell>Message</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {checks.map((check) => (
            <TableRow key={`${check.timestamp}-${check.health}`}>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{checkTime(check.timestamp)}</TableCell>
              <TableCell>
                <Chip size="small" label={check.health} color={COLOURS[check.health]} />
              </TableCell>
              <TableCell align="right">{formatResponseTime(check.responseTime)}</TableCell>
              <TableCell align="right">{check.statusCode ?? "—"}</TableCell>
              <TableCell sx={{ wordBreak: "break-word" }}>{check.message}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
