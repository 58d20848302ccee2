import { useMutation, useQueryClient } from "@tanstack/react-query";

import ConfirmDialog from "../../components/ConfirmDialog";
import { errorMessage } from "../../lib/serverErrors";
import { type ApiToken, revokeToken, tokenQueries } from "./queries";

interface RevokeTokenDialogProps {
  token: ApiToken;
  onClose: () => void;
  onRevoked: (token: ApiToken) => void;
}

/** Ask, then revoke a token; whatever uses it stops working at once. */
export default function RevokeTokenDialog({ token, onClose, onRevoked }: RevokeTokenDialogProps) {
  const queryClient = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => revokeToken(token.id),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: tokenQueries.all() });
      onRevoked(token);
    },
  });
  return (
    <ConfirmDialog
      open
      title={`Revoke “${token.name}”?`}
      confirmLabel="Revoke token"
      onConfirm={() => revoke.mutate()}
      onClose={onClose}
      pending={revoke.isPending}
      error={revoke.isError ? errorMessage(revoke.error) : null}
    >
      Anything that uses this token stops working at once. This cannot be undone.
    </ConfirmDialog>
  );
}
