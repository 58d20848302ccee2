import ConfirmActionDialog from "../../components/ConfirmActionDialog";
import { type User, unlockSignIn, userQueries } from "./queries";

interface UnlockSignInDialogProps {
  user: User;
  onClose: () => void;
  onUnlocked: (user: User) => void;
}

/** Ask, then clear a user's failed sign-ins: a lock on them ends at once. */
export default function UnlockSignInDialog({ user, onClose, onUnlocked }: UnlockSignInDialogProps) {
  return (
    <ConfirmActionDialog
      title={`Unlock sign-in of ${user.username}?`}
      confirmLabel="Unlock sign-in"
      action={() => unlockSignIn(user.id)}
      invalidates={userQueries.all()}
      onDone={() => onUnlocked(user)}
      onClose={onClose}
    >
      Failed sign-ins of {user.username} are forgotten, from every address, so they can sign in
      again now. Their password does not change: if someone else may know it, reset it too.
    </ConfirmActionDialog>
  );
}
