import { Chip, Table, TableBody, TableCell, TableHead, TableRow } from "@mui/material";

import type { PlannedChange } from "./queries";

const ACTION_LABELS: Record<PlannedChange["action"], string> = {
  create: "Create",
  update: "Update",
  unchanged: "Unchanged",
};

const ACTION_COLORS = { create: "success", update: "warning", unchanged: "default" } as const;

/** What an import would do (or did), environment by environment. */
export default function ImportPlanTable({ changes }: { changes: PlannedChange[] }) {
  return (
    <Table size="small" aria-label="Planned changes">
      <TableHead>
        <TableRow>
          <TableCell>Environment</TableCell>
          <TableCell>Action</TableCell>
          <TableCell>Changed fields</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {changes.map((change) => (
          <TableRow key={change.name}>
            <TableCell>{change.name}</TableCell>
            <TableCell>
              <Chip
                size="small"
                label={ACTION_LABELS[change.action]}
                color={ACTION_COLORS[change.action]}
                variant={change.action === "unchanged" ? "outlined" : "filled"}
              />
            </TableCell>
            <TableCell>
              {change.action === "update" && change.fields.length > 0
                ? change.fields.join(", ")
                : "—"}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
