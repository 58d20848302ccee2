import CloudOffIcon from "@mui/icons-material/CloudOff";
import SensorsIcon from "@mui/icons-material/Sensors";
import SyncIcon from "@mui/icons-material/Sync";
import { IconButton, Tooltip } from "@mui/material";
import { useContext } from "react";

import type { ConnectionState, ConnectionStatus } from "../lib/realtime/RealtimeConnection";
import { RealtimeContext } from "../lib/realtime/RealtimeContext";
import { useConnectionState } from "../lib/realtime/useConnectionState";

const LABELS = {
  connecting: "Live updates: connecting",
  connected: "Live updates: connected",
  reconnecting: "Live updates: reconnecting",
  offline: "Live updates: offline",
} as const;

const ICONS: Record<ConnectionStatus, typeof SyncIcon> = {
  connecting: SyncIcon,
  connected: SensorsIcon,
  reconnecting: SyncIcon,
  offline: CloudOffIcon,
};

function explanation({ status, failures }: ConnectionState): string {
  switch (status) {
    case "connected":
      return "Changes appear here as they happen.";
    case "connecting":
      return "Connecting to the server for live updates…";
    case "reconnecting":
      return `The live connection dropped; reconnecting (attempt ${failures}). Click to retry now.`;
    case "offline":
      return navigator.onLine
        ? `The server has not answered ${failures} attempts; still retrying. Click to retry now.`
        : "The browser is offline; live updates resume when the network is back.";
  }
}

/** The app bar's sign of the live connection: connected, reconnecting or offline. */
export default function ConnectionIndicator() {
  const connection = useContext(RealtimeContext);
  const state = useConnectionState();
  const down = state.status === "reconnecting" || state.status === "offline";
  const Icon = ICONS[state.status];
  return (
    <Tooltip title={explanation(state)}>
      <IconButton
        color="inherit"
        aria-label={LABELS[state.status]}
        data-status={state.status}
        // Retrying is all a click can do, and only while the connection is down.
        onClick={down ? () => connection?.retryNow() : undefined}
        sx={{ opacity: state.status === "connected" ? 1 : 0.75 }}
      >
        <Icon fontSize="small" />
      </IconButton>
    </Tooltip>
  );
}
