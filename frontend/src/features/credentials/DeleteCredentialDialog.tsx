import { Box } from "@mui/material";

import { ApiError } from "../../api/client";
import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { type Credential, credentialQueries, deleteCredential } from "./queries";

interface DeleteCredentialDialogProps {
  credential: Credential;
  onClose: () => void;
  onDeleted: (credential: Credential) => void;
}

/** How many of the environments that use it are named; the rest are counted. */
const MAX_NAMES = 10;

/** The names of the environments a 409 says still use the credential. */
function usedBy(error: unknown): string[] {
  if (!(error instanceof ApiError) || !Array.isArray(error.details.environments)) return [];
  return error.details.environments.flatMap((entry: unknown) => {
    const name = (entry as { name?: unknown } | null)?.name;
    return typeof name === "string" ? [name] : [];
  });
}

/** Ask, then delete a credential; a refusal (still in use) is shown in the dialog. */
export default function DeleteCredentialDialog({
  credential,
  onClose,
  onDeleted,
}: DeleteCredentialDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Delete ${credential.name}?`}
      confirmLabel="Delete credential"
      action={() => deleteCredential(credential.id)}
      invalidates={credentialQueries.all()}
      onDone={() => onDeleted(credential)}
      onClose={onClose}
    >
      {(error) => {
        const environments = usedBy(error);
        const shown = environments.slice(0, MAX_NAMES);
        return (
          <>
            {credential.name} and its secret are deleted. This cannot be undone.
            {environments.length > 0 && (
              <>
                <Box component="ul" aria-label="Environments using it" sx={{ mb: 0 }}>
                  {shown.map((name) => (
                    <li key={name}>{name}</li>
                  ))}
                </Box>
                {environments.length > shown.length && (
                  <span>and {environments.length - shown.length} more.</span>
                )}
              </>
            )}
          </>
        );
      }}
    </ConfirmActionDialog>
  );
}
