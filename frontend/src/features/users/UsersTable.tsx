import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import LockResetIcon from "@mui/icons-material/LockReset";
import {
  Chip,
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
  Typography,
} from "@mui/material";

import { formatDateTime } from "../../lib/formatDate";
import { ROLE_LABELS } from "../../lib/roles";
import type { User } from "./queries";

interface UsersTableProps {
  users: User[];
  currentUserId: string;
  onEdit: (user: User) => void;
  onResetPassword: (user: User) => void;
  onDelete: (user: User) => void;
}

/** One page of users with their actions (the page is for admins only). */
export default function UsersTable({
  users,
  currentUserId,
  onEdit,
  onResetPassword,
  onDelete,
}: UsersTableProps) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Users">
        <TableHead>
          <TableRow>
            <TableCell>Username</TableCell>
            <TableCell>Email</TableCell>
            <TableCell>Role</TableCell>
            <TableCell>Active</TableCell>
            <TableCell>Last login</TableCell>
            <TableCell align="right">Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {users.map((user) => (
            <TableRow key={user.id} hover>
              <TableCell>
                {user.username}
                {user.id === currentUserId && (
                  <Typography
                    component="span"
                    color="text.secondary"
                    fontSize="inherit"
                    sx={{ ml: 1 }}
                  >
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
              <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                <Tooltip title="Edit">
                  <IconButton aria-label={`Edit ${user.username}`} onClick={() => onEdit(user)}>
                    <EditIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
                <Tooltip title="Reset password">
                  <IconButton
                    aria-label={`Reset password of ${user.username}`}
                    onClick={() => onResetPassword(user)}
                  >
                    <LockResetIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
                <Tooltip title="Delete">
                  <IconButton aria-label={`Delete ${user.username}`} onClick={() => onDelete(user)}>
                    <DeleteIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
