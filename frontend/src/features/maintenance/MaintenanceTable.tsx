import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { Switch, TableCell, Typography } from "@mui/material";

import DataTable from "../../components/DataTable";
import IconAction from "../../components/IconAction";
import type { ScopeWidgets } from "../../components/slots";
import NextRun from "./NextRun";
import { KIND_LABELS, type MaintenanceWindow } from "./queries";
import { describeSchedule } from "./schedule";

interface MaintenanceTableProps {
  windows: MaintenanceWindow[];
  /** Admins get the switches and actions; everyone else reads. */
  canManage: boolean;
  /** The window whose enabled switch is being saved. */
  toggling: string | null;
  onToggle: (maintenance: MaintenanceWindow, enabled: boolean) => void;
  onEdit: (maintenance: MaintenanceWindow) => void;
  onDelete: (maintenance: MaintenanceWindow) => void;
  /** Shows a window's scope (from the page). */
  ScopeChips: ScopeWidgets["ScopeChips"];
}

/** One page of maintenance windows: when they run, where, and whether they are on. */
export default function MaintenanceTable({
  windows,
  canManage,
  toggling,
  onToggle,
  onEdit,
  onDelete,
  ScopeChips,
}: MaintenanceTableProps) {
  return (
    <DataTable
      label="Maintenance windows"
      headings={["Name", "Schedule", "Time zone", "Scope", "Next run", "Enabled"]}
      rows={windows}
      cells={(maintenance) => (
        <>
          <TableCell>
            <Typography variant="body2" fontWeight="medium">
              {maintenance.name}
            </Typography>
            {maintenance.reason && (
              <Typography variant="caption" color="text.secondary">
                {maintenance.reason}
              </Typography>
            )}
          </TableCell>
          <TableCell>
            <Typography variant="caption" color="text.secondary" component="div">
              {KIND_LABELS[maintenance.kind]}
            </Typography>
            <Typography variant="body2">{describeSchedule(maintenance)}</Typography>
            {maintenance.kind === "recurring" && (
              <Typography variant="caption" color="text.secondary" sx={{ fontFamily: "monospace" }}>
                {maintenance.cron}
              </Typography>
            )}
          </TableCell>
          <TableCell>{maintenance.kind === "recurring" ? maintenance.timezone : "—"}</TableCell>
          <TableCell>
            <ScopeChips scope={maintenance.scope} />
          </TableCell>
          <TableCell>
            <NextRun maintenance={maintenance} />
          </TableCell>
          <TableCell>
            {canManage ? (
              <Switch
                checked={maintenance.enabled}
                disabled={toggling === maintenance.id}
                onChange={(event) => onToggle(maintenance, event.target.checked)}
                slotProps={{ input: { "aria-label": `${maintenance.name} enabled` } }}
              />
            ) : maintenance.enabled ? (
              "Yes"
            ) : (
              "No"
            )}
          </TableCell>
        </>
      )}
      actions={
        canManage
          ? (maintenance) => (
              <>
                <IconAction
                  title="Edit"
                  label={`Edit ${maintenance.name}`}
                  onClick={() => onEdit(maintenance)}
                >
                  <EditIcon fontSize="small" />
                </IconAction>
                <IconAction
                  title="Delete"
                  label={`Delete ${maintenance.name}`}
                  onClick={() => onDelete(maintenance)}
                >
                  <DeleteIcon fontSize="small" />
                </IconAction>
              </>
            )
          : undefined
      }
    />
  );
}
