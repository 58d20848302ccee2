import {
  Button,
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
} from "@mui/material";
import { Link as RouterLink } from "react-router";

import { formatDateTime } from "../../lib/formatDate";
import { formatElapsed } from "./formatElapsed";
import OperationStatusChip from "./OperationStatusChip";
import { type Operation, TYPE_LABELS } from "./types";

interface OperationsTableProps {
  operations: Operation[];
  /** Leave out the environment column (one environment's tab). */
  hideEnvironment?: boolean;
  onOpen: (operation: Operation) => void;
}

function versionText(operation: Operation): string {
  const { version, previousVersion } = operation.params ?? {};
  if (!version) return "";
  return previousVersion ? `${previousVersion} → ${version}` : version;
}

/** Operations, newest first: when, what, on which environment, by whom, how it ended. */
export default function OperationsTable({
  operations,
  hideEnvironment = false,
  onOpen,
}: OperationsTableProps) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Operations">
        <TableHead>
          <TableRow>
            <TableCell>Started</TableCell>
            {!hideEnvironment && <TableCell>Environment</TableCell>}
            <TableCell>Type</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Requested by</TableCell>
            <TableCell>Duration</TableCell>
            <TableCell align="right">Output</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {operations.map((operation) => (
            <TableRow key={operation.id} hover>
              <TableCell>{formatDateTime(operation.startedAt ?? operation.createdAt)}</TableCell>
              {!hideEnvironment && (
                <TableCell>
                  <Link component={RouterLink} to={`/environments/${operation.environmentId}`}>
                    {operation.environmentName}
                  </Link>
                </TableCell>
              )}
              <TableCell>{TYPE_LABELS[operation.type] ?? operation.type}</TableCell>
              <TableCell>{versionText(operation)}</TableCell>
              <TableCell>
                <OperationStatusChip status={operation.status} />
              </TableCell>
              <TableCell>{operation.requestedBy?.username ?? ""}</TableCell>
              <TableCell>
                {typeof operation.durationMs === "number"
                  ? formatElapsed(operation.durationMs)
                  : ""}
              </TableCell>
              <TableCell align="right">
                <Button
                  size="small"
                  onClick={() => onOpen(operation)}
                  aria-label={`Open the ${TYPE_LABELS[operation.type]?.toLowerCase() ?? "operation"} of ${operation.environmentName}`}
                >
                  Open
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
