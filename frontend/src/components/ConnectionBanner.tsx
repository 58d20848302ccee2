import { Alert, Button } from "@mui/material";
import { useContext } from "react";

import { RealtimeContext } from "../lib/realtime/RealtimeContext";
import { useConnectionState } from "../lib/realtime/useConnectionState";

/** Failed attempts in a row before the banner shows: one dropped socket is routine. */
const SHOW_AFTER_FAILURES = 2;

/**
 * A banner across the page while the server cannot be reached: what the page shows may be out
 * of date, and changes made now may not arrive. Gone as soon as the live connection is back.
 */
export default function ConnectionBanner() {
  const connection = useContext(RealtimeContext);
  const { status, failures } = useConnectionState();
  const down =
    status === "offline" || (status === "reconnecting" && failures >= SHOW_AFTER_FAILURES);
  if (connection === null || !down) return null;
  const browserOffline = !navigator.onLine;
  return (
    <Alert
      severity="warning"
      variant="filled"
      aria-label="Connection"
      action={
        browserOffline ? undefined : (
          <Button color="inherit" size="small" onClick={() => connection.retryNow()}>
            Retry now
          </Button>
        )
      }
      sx={{ position: "sticky", top: { xs: 64, sm: 72 }, zIndex: 1, mb: 2 }}
    >
      {browserOffline
        ? "Your browser is offline: what you see may be out of date until the network is back."
        : "The Envdeck server is not answering: what you see may be out of date. Retrying…"}
    </Alert>
  );
}
