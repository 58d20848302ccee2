import {
  CircularProgress,
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Link as RouterLink } from "react-router";

import type { BulkOutcome } from "./bulkOperations";
import OperationStatusChip from "./OperationStatusChip";
import { operationQueries } from "./queries";

/** The live status of a started operation (operation_update frames keep it current). */
function LiveStatus({ operationId }: { operationId: string }) {
  const operation = useQuery(operationQueries.detail(operationId));
  return (
    <Stack direction="row" spacing={1} alignItems="center" useFlexGap flexWrap="wrap">
      <Typography variant="body2">Started</Typography>
      {operation.data && <OperationStatusChip status={operation.data.status} />}
      <Link component={RouterLink} to={`/operations/${operationId}`} variant="body2">
        Details
      </Link>
    </Stack>
  );
}

function OutcomeCell({ outcome }: { outcome: BulkOutcome }) {
  switch (outcome.state) {
    case "waiting":
      return (
        <Stack direction="row" spacing={1} alignItems="center">
          <CircularProgress size={14} aria-hidden />
          <Typography variant="body2">Starting…</Typography>
        </Stack>
      );
    case "started":
      return <LiveStatus operationId={outcome.operationId} />;
    case "refused":
      return (
        <Typography variant="body2" color="error">
          Refused: {outcome.reason}
        </Typography>
      );
    case "skipped":
      return (
        <Typography variant="body2" color="text.secondary">
          Skipped: {outcome.reason}
        </Typography>
      );
  }
}

export interface BulkResultRow {
  id: string;
  name: string;
  outcome: BulkOutcome;
}

/** One row per environment of a bulk action: started (with its live status), refused, skipped. */
export default function BulkResultsTable({ rows }: { rows: BulkResultRow[] }) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Results">
        <TableHead>
          <TableRow>
            <TableCell>Environment</TableCell>
            <TableCell>Result</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.id}>
              <TableCell component="th" scope="row">
                {row.name}
              </TableCell>
              <TableCell>
                <OutcomeCell outcome={row.outcome} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
