import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { type ApiToken, revokeToken, tokenQueries } from "./queries";

interface RevokeTokenDialogProps {
  token: ApiToken;
  onClose: () => void;
  onRevoked: (token: ApiToken) => void;
}

/** Ask, then revoke a token; whatever uses it stops working at once. */
export default function RevokeTokenDialog({ token, onClose, onRevoked }: RevokeTokenDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Revoke “${token.name}”?`}
      confirmLabel="Revoke token"
      action={() => revokeToken(token.id)}
      invalidates={tokenQueries.all()}
      onDone={() => onRevoked(token)}
      onClose={onClose}
    >
      Anything that uses this token stops working at once. This cannot be undone.
    </ConfirmActionDialog>
  );
}
