import { Snackbar } from "@mui/material";

interface NoticeSnackbarProps {
  /** What to say; null hides the snackbar. */
  notice: string | null;
  onClose: () => void;
  autoHideDuration?: number;
}

/** The short message a list page shows after an action (“Deleted shop-prod.”). */
export default function NoticeSnackbar({
  notice,
  onClose,
  autoHideDuration = 5000,
}: NoticeSnackbarProps) {
  return (
    <Snackbar
      open={notice !== null}
      autoHideDuration={autoHideDuration}
      onClose={onClose}
      message={notice}
    />
  );
}
