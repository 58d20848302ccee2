import { Box } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { ApiError } from "../../api/client";
import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
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
  const queryClient = useQueryClient();
  const remove = useMutation({
    mutationFn: () => deleteCredential(credential.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: credentialQueries.all() });
      onDeleted(credential);
    },
  });
  const environments = usedBy(remove.error);
  const shown = environments.slice(0, MAX_NAMES);
  return (
    <ConfirmDialog
      open
      title={`Delete ${credential.name}?`}
      confirmLabel="Delete credential"
      onConfirm={() => remove.mutate()}
      onClose={onClose}
      pending={remove.isPending}
      error={remove.isError ? errorMessage(remove.error) : null}
    >
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
    </ConfirmDialog>
  );
}
