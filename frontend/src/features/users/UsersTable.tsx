import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import LockOpenIcon from "@mui/icons-material/LockOpen";
import LockResetIcon from "@mui/icons-material/LockReset";
import { Chip, TableCell, Typography } from "@mui/material";

import DataTable from "../../components/DataTable";
import IconAction from "../../components/IconAction";
import { formatDateTime } from "../../lib/formatDate";
import { ROLE_LABELS } from "../../lib/roles";
import type { User } from "./queries";

interface UsersTableProps {
  users: User[];
  currentUserId: string;
  onEdit: (user: User) => void;
  onResetPassword: (user: User) => void;
  onUnlock: (user: User) => void;
  onDelete: (user: User) => void;
}

/** One page of users with their actions (the page is for admins only). */
export default function UsersTable({
  users,
  currentUserId,
  onEdit,
  onResetPassword,
  onUnlock,
  onDelete,
}: UsersTableProps) {
  return (
    <DataTable
      label="Users"
      headings={["Username", "Email", "Role", "Active", "Last login"]}
      rows={users}
      cells={(user) => (
        <>
          <TableCell>
            {user.username}
            {user.id === currentUserId && (
              <Typography component="span" color="text.secondary" fontSize="inherit" sx={{ ml: 1 }}>
                (you)
              </Typography>
            )}
          </TableCell>
          <TableCell>{user.email ?? "—"}</TableCell>
          <TableCell>{ROLE_LABELS[user.role]}</TableCell>
          <TableCell>
            <Chip
              size="small"
              label={user.active ? "Active" : "Inactive"}
              color={user.active ? "success" : "default"}
              variant={user.active ? "filled" : "outlined"}
            />
          </TableCell>
          <TableCell>{formatDateTime(user.lastLogin, "Never")}</TableCell>
        </>
      )}
      actions={(user) => (
        <>
          <IconAction title="Edit" label={`Edit ${user.username}`} onClick={() => onEdit(user)}>
            <EditIcon fontSize="small" />
          </IconAction>
          <IconAction
            title="Reset password"
            label={`Reset password of ${user.username}`}
            onClick={() => onResetPassword(user)}
          >
            <LockResetIcon fontSize="small" />
          </IconAction>
          <IconAction
            title="Unlock sign-in"
            label={`Unlock sign-in of ${user.username}`}
            onClick={() => onUnlock(user)}
          >
            <LockOpenIcon fontSize="small" />
          </IconAction>
          <IconAction
            title="Delete"
            label={`Delete ${user.username}`}
            onClick={() => onDelete(user)}
          >
            <DeleteIcon fontSize="small" />
          </IconAction>
        </>
      )}
    />
  );
}
