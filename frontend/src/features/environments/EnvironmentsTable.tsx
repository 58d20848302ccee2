import {
  Link,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
} from "@mui/material";
import { Link as RouterLink } from "react-router";

import { formatDateTime } from "../../lib/formatDate";
import EnvironmentActionsMenu from "./EnvironmentActionsMenu";
import HealthChip from "./HealthChip";
import type { Environment } from "./queries";
import type { EnvironmentSlots } from "./slots";
import TagChips from "./TagChips";

interface EnvironmentsTableProps {
  environments: Environment[];
  canManage: boolean;
  onDelete: (environment: Environment) => void;
  /** What a row shows of operations and maintenance (from the page). */
  slots: Pick<EnvironmentSlots, "OperationActions" | "MaintenanceChip">;
}

/** One page of environments as a compact table. */
export default function EnvironmentsTable({
  environments,
  canManage,
  onDelete,
  slots: { OperationActions, MaintenanceChip },
}: EnvironmentsTableProps) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Environments">
        <TableHead>
          <TableRow>
            <TableCell>Health</TableCell>
            <TableCell>Name</TableCell>
            <TableCell>URL</TableCell>
            <TableCell>Version</TableCell>
            <TableCell>Tags</TableCell>
            <TableCell>Last check</TableCell>
            <TableCell>Operations</TableCell>
            {canManage && <TableCell align="right">Actions</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {environments.map((environment) => (
            <TableRow key={environment.id} hover>
              <TableCell>
                <Stack direction="row" spacing={0.5} useFlexGap flexWrap="wrap">
                  <HealthChip health={environment.status?.health ?? "unknown"} />
                  <MaintenanceChip environment={environment} />
                </Stack>
              </TableCell>
              <TableCell>
                <Link component={RouterLink} to={`/environments/${environment.id}`}>
                  {environment.name}
                </Link>
              </TableCell>
              <TableCell sx={{ maxWidth: 260, overflow: "hidden", textOverflow: "ellipsis" }}>
                {environment.environmentURL ? (
                  <Link href={environment.environmentURL} target="_blank" rel="noopener noreferrer">
                    {environment.environmentURL}
                  </Link>
                ) : (
                  "—"
                )}
              </TableCell>
              <TableCell>{environment.systemInfo?.appVersion || "—"}</TableCell>
              <TableCell>
                <TagChips tags={environment.tags} />
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                {formatDateTime(environment.status?.lastCheck, "Never")}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <OperationActions environment={environment} compact />
              </TableCell>
              {canManage && (
                <TableCell align="right">
                  <EnvironmentActionsMenu environment={environment} onDelete={onDelete} />
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
