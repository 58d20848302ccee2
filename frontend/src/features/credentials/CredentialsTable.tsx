import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { TableCell } from "@mui/material";

import DataTable from "../../components/DataTable";
import IconAction from "../../components/IconAction";
import { type Credential, KIND_LABELS } from "./queries";

interface CredentialsTableProps {
  credentials: Credential[];
  onEdit: (credential: Credential) => void;
  onDelete: (credential: Credential) => void;
}

/** One page of credentials: never their secrets, which the API does not give out. */
export default function CredentialsTable({ credentials, onEdit, onDelete }: CredentialsTableProps) {
  return (
    <DataTable
      label="Credentials"
      headings={["Name", "Type", "Username", "Fingerprint", "Passphrase"]}
      rows={credentials}
      cells={(credential) => (
        <>
          <TableCell>{credential.name}</TableCell>
          <TableCell>{KIND_LABELS[credential.type]}</TableCell>
          <TableCell>{credential.username || "—"}</TableCell>
          <TableCell sx={{ fontFamily: "monospace", overflowWrap: "anywhere" }}>
            {credential.fingerprint ?? "—"}
          </TableCell>
          <TableCell>
            {credential.type === "key" ? (credential.hasPassphrase ? "Yes" : "No") : "—"}
          </TableCell>
        </>
      )}
      actions={(credential) => (
        <>
          <IconAction
            title="Edit"
            label={`Edit ${credential.name}`}
            onClick={() => onEdit(credential)}
          >
            <EditIcon fontSize="small" />
          </IconAction>
          <IconAction
            title="Delete"
            label={`Delete ${credential.name}`}
            onClick={() => onDelete(credential)}
          >
            <DeleteIcon fontSize="small" />
          </IconAction>
        </>
      )}
    />
  );
}
