import ContentCopyIcon from "@mui/icons-material/ContentCopy";
import {
  Alert,
  Button,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
} from "@mui/material";
import { useState } from "react";

import ResponsiveDialog from "../../components/ResponsiveDialog";
import type { ApiTokenCreated } from "./queries";

type CopyState = "idle" | "copied" | "failed";

/**
 * The new token's secret, shown this once: the server keeps only its hash. Closing the dialog
 * drops it from the page too.
 */
export default function TokenSecretDialog({
  created,
  onClose,
}: {
  created: ApiTokenCreated;
  onClose: () => void;
}) {
  const [copy, setCopy] = useState<CopyState>("idle");

  async function copySecret() {
    try {
      await navigator.clipboard.writeText(created.secret);
      setCopy("copied");
    } catch {
      // No clipboard (plain http, or refused): the field is selectable by hand.
      setCopy("failed");
    }
  }

  return (
    // Only the button closes it: a stray click outside must not lose the secret.
    <ResponsiveDialog
      open
      maxWidth="sm"
      fullWidth
      onClose={(_event, reason) => reason === "escapeKeyDown" && onClose()}
    >
      <DialogTitle>Copy your new token</DialogTitle>
      <DialogContent>
        <Stack spacing={2} sx={{ pt: 1 }}>
          <Alert severity="warning">
            You won&apos;t see it again: copy “{created.token.name}” now and keep it somewhere safe.
            Envdeck keeps only a hash of it.
          </Alert>
          <TextField
            label="Token"
            value={created.secret}
            fullWidth
            onFocus={(event) => event.target.select()}
            slotProps={{ htmlInput: { readOnly: true, style: { fontFamily: "monospace" } } }}
          />
          {copy === "copied" && <Alert severity="success">Copied to the clipboard.</Alert>}
          {copy === "failed" && (
            <Alert severity="info">
              The clipboard is not available: select the token and copy it.
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button startIcon={<ContentCopyIcon />} onClick={() => void copySecret()}>
          Copy
        </Button>
        <Button variant="contained" onClick={onClose}>
          Done
        </Button>
      </DialogActions>
    </ResponsiveDialog>
  );
}
