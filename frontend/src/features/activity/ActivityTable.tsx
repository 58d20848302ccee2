import { Table, TableBody, TableCell, TableContainer, TableHead, TableRow } from "@mui/material";

import ActivityRow from "./ActivityRow";
import type { LogEntry } from "./filters";

interface ActivityTableProps {
  entries: LogEntry[];
  showEnvironment: boolean;
  fresh: ReadonlySet<string>;
  onUser: (userId: string) => void;
}

/** A page of activity-log entries, newest first. */
export default function ActivityTable({
  entries,
  showEnvironment,
  fresh,
  onUser,
}: ActivityTableProps) {
  return (
    // Focusable: on a phone the table scrolls sideways, and a keyboard must be able to scroll it.
    <TableContainer tabIndex={0} role="region" aria-label="Activity log">
      <Table size="small" aria-label="Activity log">
        <TableHead>
          <TableRow>
            <TableCell padding="checkbox" />
            <TableCell>Time</TableCell>
            <TableCell>Level</TableCell>
            <TableCell>Type / action</TableCell>
            {showEnvironment && <TableCell>Environment</TableCell>}
            <TableCell>User</TableCell>
            <TableCell>Message</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((entry) => (
            <ActivityRow
              key={entry.id}
              entry={entry}
              showEnvironment={showEnvironment}
              fresh={fresh.has(entry.id)}
              onUser={onUser}
            />
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
