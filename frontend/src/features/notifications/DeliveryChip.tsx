import { Chip, Stack, Tooltip, Typography } from "@mui/material";

import { formatDateTime } from "../../lib/formatDate";

interface DeliveryChipProps {
  delivery: {
    at: string;
    event: string;
    status: "sent" | "failed";
    attempts: number;
    error?: string | null;
    environmentName?: string | null;
  } | null;
}

/** A channel's last delivery: Sent or Failed, when, and (in the tooltip) what and why. */
export default function DeliveryChip({ delivery }: DeliveryChipProps) {
  if (!delivery) {
    return (
      <Typography variant="body2" color="text.secondary">
        Never
      </Typography>
    );
  }
  const sent = delivery.status === "sent";
  const what = delivery.event === "test" ? "Test message" : delivery.event;
  const where = delivery.environmentName ? ` about ${delivery.environmentName}` : "";
  const tries = delivery.attempts === 1 ? "1 attempt" : `${delivery.attempts} attempts`;
  const summary = `${what}${where}, ${tries}${delivery.error ? `: ${delivery.error}` : ""}`;
  return (
    <Stack direction="row" spacing={1} alignItems="center">
      <Tooltip title={summary}>
        <Chip
          size="small"
          color={sent ? "success" : "error"}
          label={sent ? "Sent" : "Failed"}
          aria-label={`${sent ? "Sent" : "Failed"}: ${summary}`}
          tabIndex={0}
        />
      </Tooltip>
      <Typography variant="caption" color="text.secondary">
        {formatDateTime(delivery.at)}
      </Typography>
    </Stack>
  );
}
