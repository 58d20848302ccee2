import {
  Button,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";

import { formatDateTime } from "../../lib/formatDate";
import { ROLE_LABELS } from "../../lib/roles";
import type { ApiToken } from "./queries";

interface TokensTableProps {
  tokens: ApiToken[];
  onRevoke: (token: ApiToken) => void;
}

/** The caller's API tokens: what they are called and how they are used, never their secret. */
export default function TokensTable({ tokens, onRevoke }: TokensTableProps) {
  return (
    <TableContainer>
      <Table size="small" aria-label="API tokens">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Prefix</TableCell>
            <TableCell>Role</TableCell>
            <TableCell>Created</TableCell>
            <TableCell>Last used</TableCell>
            <TableCell>Expires</TableCell>
            <TableCell align="right">Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {tokens.map((token) => (
            <TableRow key={token.id} hover>
              <TableCell>{token.name}</TableCell>
              <TableCell>
                <Typography component="span" fontFamily="monospace" fontSize="inherit">
                  {token.prefix}…
                </Typography>
              </TableCell>
              <TableCell>{ROLE_LABELS[token.role]}</TableCell>
              <TableCell>{formatDateTime(token.createdAt)}</TableCell>
              <TableCell>{formatDateTime(token.lastUsedAt, "Never")}</TableCell>
              <TableCell>{formatDateTime(token.expiresAt, "Never")}</TableCell>
              <TableCell align="right">
                <Button
                  size="small"
                  color="error"
                  aria-label={`Revoke ${token.name}`}
                  onClick={() => onRevoke(token)}
                >
                  Revoke
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
