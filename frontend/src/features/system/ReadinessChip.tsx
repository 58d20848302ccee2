import { Chip } from "@mui/material";

export default function ReadinessChip({ ready }: { ready: boolean }) {
  return (
    <Chip
      size="small"
      color={ready ? "success" : "error"}
      label={ready ? "Ready" : "Not ready"}
      variant={ready ? "filled" : "outlined"}
    />
  );
}
