import {
  Alert,
  Button,
  type ButtonProps,
  DialogActions,
  DialogContent,
  type DialogProps,
  DialogTitle,
  Stack,
} from "@mui/material";
import type { FormEventHandler, ReactNode } from "react";

import ResponsiveDialog from "./ResponsiveDialog";

interface FormDialogProps {
  open?: boolean;
  title: string;
  submitLabel: string;
  submitColor?: ButtonProps["color"];
  onSubmit: FormEventHandler<HTMLFormElement>;
  onClose: () => void;
  pending: boolean;
  /** A problem with the whole form (the server's answer), shown above the fields. */
  error?: string | null;
  children: ReactNode;
  /** Wider than the default for forms with more than a few fields. */
  maxWidth?: DialogProps["maxWidth"];
}

/** A dialog that is one form: its fields, Cancel, and a submit button that shows progress. */
export default function FormDialog({
  open = true,
  title,
  submitLabel,
  submitColor = "primary",
  onSubmit,
  onClose,
  pending,
  error = null,
  children,
  maxWidth = "xs",
}: FormDialogProps) {
  return (
    <ResponsiveDialog
      open={open}
      onClose={pending ? undefined : onClose}
      maxWidth={maxWidth}
      fullWidth
    >
      {/* display: contents keeps the dialog's own layout (a scrolling content area). */}
      <form onSubmit={onSubmit} noValidate style={{ display: "contents" }}>
        <DialogTitle>{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            {error && <Alert severity="error">{error}</Alert>}
            {children}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" color={submitColor} loading={pending}>
            {submitLabel}
          </Button>
        </DialogActions>
      </form>
    </ResponsiveDialog>
  );
}
