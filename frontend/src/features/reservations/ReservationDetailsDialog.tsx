import {
  Button,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableRow,
} from "@mui/material";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import { formatDateTime } from "../../lib/formatDate";
import type { Reservation, ReservationStatus } from "./queries";

export const STATUS_LABELS: Record<ReservationStatus, string> = {
  upcoming: "Upcoming",
  active: "Active",
  ended: "Ended",
  released: "Released",
  broken: "Broken",
};

/** What the reader may do with a reservation. */
export type ReservationAction = "extend" | "release" | "break";

interface ReservationDetailsDialogProps {
  reservation: Reservation;
  actions: ReservationAction[];
  onAction: (action: ReservationAction) => void;
  onClose: () => void;
}

const ACTION_LABELS: Record<ReservationAction, string> = {
  extend: "Extend",
  release: "Release",
  break: "Break",
};

/** One reservation of the timeline: who, what for, when, and what the reader may do. */
export default function ReservationDetailsDialog({
  reservation,
  actions,
  onAction,
  onClose,
}: ReservationDetailsDialogProps) {
  const rows: [string, string][] = [
    ["Holder", reservation.holder.username],
    ["Purpose", reservation.purpose || "—"],
    ["From", formatDateTime(reservation.start)],
    ["Until", formatDateTime(reservation.end)],
    ["Status", STATUS_LABELS[reservation.status]],
  ];
  if (reservation.releasedAt) {
    const by = reservation.releasedBy ? ` by ${reservation.releasedBy.username}` : "";
    rows.push(["Released", `${formatDateTime(reservation.releasedAt)}${by}`]);
  }
  if (reservation.breakReason) rows.push(["Reason", reservation.breakReason]);
  return (
    <ResponsiveDialog open onClose={onClose} maxWidth="xs" fullWidth>
      <DialogTitle>Reservation of {reservation.environmentName}</DialogTitle>
      <DialogContent>
        <Table size="small" aria-label="Reservation">
          <TableBody>
            {rows.map(([label, value]) => (
              <TableRow key={label}>
                <TableCell component="th" scope="row" sx={{ pl: 0 }}>
                  {label}
                </TableCell>
                <TableCell sx={{ overflowWrap: "anywhere" }}>{value}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </DialogContent>
      <DialogActions>
        {actions.map((action) => (
          <Button
            key={action}
            color={action === "break" ? "error" : "primary"}
            onClick={() => onAction(action)}
          >
            {ACTION_LABELS[action]}
          </Button>
        ))}
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
