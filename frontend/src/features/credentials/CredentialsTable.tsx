import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import {
  IconButton,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Tooltip,
} from "@mui/material";

import { type Credential, KIND_LABELS } from "./queries";

interface CredentialsTableProps {
  credentials: Credential[];
  onEdit: (credential: Credential) => void;
  onDelete: (credential: Credential) => void;
}

/** One page of credentials: never their secrets, which the API does not give out. */
export default function CredentialsTable({ credentials, onEdit, onDelete }: CredentialsTableProps) {
  return (
    <TableContainer>
      <Table size="small" aria-label="Credentials">
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Type</TableCell>
            <TableCell>Username</TableCell>
            <TableCell>Fingerprint</TableCell>
            <TableCell>Passphrase</TableCell>
            <TableCell align="right">Actions</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {credentials.map((credential) => (
            <TableRow key={credential.id} hover>
              <TableCell>{credential.name}</TableCell>
              <TableCell>{KIND_LABELS[credential.type]}</TableCell>
              <TableCell>{credential.username || "—"}</TableCell>
              <TableCell sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>
                {credential.fingerprint ?? "—"}
              </TableCell>
              <TableCell>
                {credential.type === "key" ? (credential.hasPassphrase ? "Yes" : "No") : "—"}
              </TableCell>
              <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                <Tooltip title="Edit">
                  <IconButton
                    aria-label={`Edit ${credential.name}`}
                    onClick={() => onEdit(credential)}
                  >
                    <EditIcon fontSize="small" />
                  </IconButton>
                </Tooltip>
                <Tooltip title="Delete">
                  <IconButton
                    aria-label={`Delete ${credential.name}`}
                    onClick={() => onDelete(credential)}
                  >
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
