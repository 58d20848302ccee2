import { useState } from "react";

/**
 * The one dialog a list page has open (`D` says which, and about which item) and the notice
 * its snackbar shows afterwards.
 */
export function useListDialogs<D>() {
  const [dialog, setDialog] = useState<D | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  return {
    dialog,
    open: (next: D) => setDialog(next),
    close: () => setDialog(null),
    /** Close the dialog and say what it did. */
    done: (message: string) => {
      setDialog(null);
      setNotice(message);
    },
    notice,
    notify: (message: string) => setNotice(message),
    dismissNotice: () => setNotice(null),
  };
}
