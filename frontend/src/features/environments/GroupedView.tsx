import {
  Button,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useContext, useMemo, useState } from "react";

import { type GroupKey, groupKeyLabel } from "./dashboardState";
import EnvironmentTile from "./EnvironmentTile";
import GroupCheckbox from "./GroupCheckbox";
import { ALL, buildSwimlanes, NO_VALUE } from "./grouping";
import type { Environment } from "./queries";
import { SelectionContext } from "./SelectionContext";

/** How many environments a cell shows before "Show all". */
const CELL_LIMIT = 8;
/** How many rows are drawn (grouping by a key every environment has its own value of). */
const ROW_LIMIT = 100;
const COLUMN_LIMIT = 24;

interface GroupedViewProps {
  environments: Environment[];
  groupBy: GroupKey;
  columnsBy: GroupKey | null;
}

function valueLabel(value: string, key: GroupKey): string {
  return value === NO_VALUE ? `No ${groupKeyLabel(key).toLowerCase()}` : value;
}

function unhealthyCount(environments: Environment[]): number {
  return environments.filter((e) => e.status?.health === "unhealthy").length;
}

/** A group's size and, if any, how many of it are unhealthy. */
function GroupCounts({ members }: { members: Environment[] }) {
  const unhealthy = unhealthyCount(members);
  return (
    <Typography variant="caption" color={unhealthy ? "error" : "text.secondary"} component="p">
      {members.length} env{members.length === 1 ? "" : "s"}
      {unhealthy > 0 && ` · ${unhealthy} unhealthy`}
    </Typography>
  );
}

/**
 * Swimlanes: one row per value of groupBy (an application), one column per value of
 * columnsBy (a stage), each cell the environments with both. A row's or a column's checkbox
 * selects all of it for a bulk action.
 */
export default function GroupedView({
  environments,
  groupBy,
  columnsBy,
}: GroupedViewProps) {
  // null when the reader cannot run operations: no checkboxes.
  const selection = useContext(SelectionContext);
  const lanes = useMemo(
    () => buildSwimlanes(environments, groupBy, columnsBy),
    [environments, groupBy, columnsBy],
  );
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const rows = lanes.rows.slice(0, ROW_LIMIT);
  const columns = lanes.columns.slice(0, COLUMN_LIMIT);
  const rowLabel = groupKeyLabel(groupBy);
  const corner = columnsBy ? `${rowLabel} \\ ${groupKeyLabel(columnsBy)}` : rowLabel;
  return (
    <Stack spacing={1}>
      {(lanes.rows.length > ROW_LIMIT || lanes.columns.length > COLUMN_LIMIT) && (
        <Typography variant="body2" color="text.secondary">
          Showing the first {rows.length} of {lanes.rows.length} rows and {columns.length} of{" "}
          {lanes.columns.length} columns: filter to narrow them down.
        </Typography>
      )}
      <TableContainer>
        <Table size="small" aria-label="Environments by group" sx={{ tableLayout: "auto" }}>
          <TableHead>
            <TableRow>
              <TableCell>{corner}</TableCell>
              {columns.map((column) => {
                const members = lanes.columnMembers.get(column) ?? [];
                const label = column === ALL ? "Environments" : valueLabel(column, columnsBy!);
                return (
                  <TableCell key={column} sx={{ minWidth: 180, verticalAlign: "bottom" }}>
                    <Stack direction="row" alignItems="center">
                      {selection && column !== ALL && (
                        <GroupCheckbox
                          members={members}
                          selection={selection}
                          label={`Select every environment in column ${label}`}
                        />
                      )}
                      <div>
                        <Typography variant="subtitle2">{label}</Typography>
                        <GroupCounts members={members} />
                      </div>
                    </Stack>
                  </TableCell>
                );
              })}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map((row) => {
              const members = lanes.rowMembers.get(row) ?? [];
              const label = valueLabel(row, groupBy);
              return (
                <TableRow key={row} aria-label={label}>
                  <TableCell component="th" scope="row" sx={{ verticalAlign: "top", minWidth: 140 }}>
                    <Stack direction="row" alignItems="flex-start">
                      {selection && (
                        <GroupCheckbox
                          members={members}
                          selection={selection}
                          label={`Select every environment in row ${label}`}
                        />
                      )}
                      <div>
                        <Typography variant="subtitle2">{label}</Typography>
                        <GroupCounts members={members} />
                      </div>
                    </Stack>
                  </TableCell>
                  {columns.map((column) => {
                    const cellKey = `${row}\u0000${column}`;
                    const cell = lanes.cells.get(row)?.get(column) ?? [];
                    const open = expanded.has(cellKey);
                    const shown = open ? cell : cell.slice(0, CELL_LIMIT);
                    return (
                      <TableCell key={column} sx={{ verticalAlign: "top" }}>
                        <Stack spacing={0.5}>
                          {shown.map((environment) => (
                            <EnvironmentTile key={environment.id} environment={environment} />
                          ))}
                          {cell.length > CELL_LIMIT && (
                            <Button
                              size="small"
                              sx={{ alignSelf: "flex-start" }}
                              onClick={() =>
                                setExpanded((current) => {
                                  const next = new Set(current);
                                  if (open) next.delete(cellKey);
                                  else next.add(cellKey);
                                  return next;
                                })
                              }
                            >
                              {open ? "Show fewer" : `Show all ${cell.length}`}
                            </Button>
                          )}
                        </Stack>
                      </TableCell>
                    );
                  })}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
    </Stack>
  );
}
