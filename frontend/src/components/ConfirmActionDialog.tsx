import type { QueryKey } from "@tanstack/react-query";
import type { ReactNode } from "react";

import { errorMessage } from "../lib/serverErrors";
import { useInvalidatingMutation } from "../lib/useInvalidatingMutation";
import ConfirmDialog from "./ConfirmDialog";

interface ConfirmActionDialogProps {
  title: string;
  confirmLabel: string;
  /** The request the confirmation sends (a delete, a revoke). */
  action: () => Promise<unknown>;
  /** The queries the action makes stale: read again before onDone. */
  invalidates: QueryKey;
  onDone: () => void;
  onClose: () => void;
  /** What the action does; a function gets the failure, to say more about it. */
  children: ReactNode | ((error: Error | null) => ReactNode);
}

/**
 * Ask, then send one request about one item; a refusal is shown in the dialog, which stays
 * open.
 */
export default function ConfirmActionDialog({
  title,
  confirmLabel,
  action,
  invalidates,
  onDone,
  onClose,
  children,
}: ConfirmActionDialogProps) {
  const mutation = useInvalidatingMutation({
    mutationFn: action,
    invalidates,
    onSuccess: onDone,
  });
  return (
    <ConfirmDialog
      open
      title={title}
      confirmLabel={confirmLabel}
      onConfirm={() => mutation.mutate()}
      onClose={onClose}
      pending={mutation.isPending}
      error={mutation.isError ? errorMessage(mutation.error) : null}
    >
      {typeof children === "function" ? children(mutation.error) : children}
    </ConfirmDialog>
  );
}
