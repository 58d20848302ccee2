import { Button, TableCell, Typography } from "@mui/material";

import DataTable from "../../components/DataTable";
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
    <DataTable
      label="API tokens"
      headings={["Name", "Prefix", "Role", "Created", "Last used", "Expires"]}
      rows={tokens}
      cells={(token) => (
        <>
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
        </>
      )}
      actions={(token) => (
        <Button
          size="small"
          color="error"
          aria-label={`Revoke ${token.name}`}
          onClick={() => onRevoke(token)}
        >
          Revoke
        </Button>
      )}
    />
  );
}
