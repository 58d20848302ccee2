import ConstructionIcon from "@mui/icons-material/Construction";
import { Box, Chip, type SxProps, type Theme, Tooltip } from "@mui/material";

import { formatDateTime } from "../../lib/formatDate";
import { useActiveMaintenance } from "./useActiveMaintenance";

interface MaintenanceChipProps {
  environment: { id: string; tags?: string[] };
  sx?: SxProps<Theme>;
}

/**
 * "Maintenance" while a window covering the environment runs; its tooltip names the window(s),
 * their reason and until when. Nothing otherwise.
 */
export default function MaintenanceChip({ environment, sx }: MaintenanceChipProps) {
  const windows = useActiveMaintenance(environment);
  if (windows.length === 0) return null;
  const details = (
    <Box component="span" sx={{ display: "block" }}>
      {windows.map((maintenance) => (
        <Box component="span" key={maintenance.id} sx={{ display: "block" }}>
          <strong>{maintenance.name}</strong>
          {maintenance.reason && `: ${maintenance.reason}`}
          <br />
          Until {formatDateTime(maintenance.end)}
        </Box>
      ))}
    </Box>
  );
  const label = windows
    .map(
      (maintenance) =>
        `${maintenance.name}${maintenance.reason ? ` (${maintenance.reason})` : ""} until ${formatDateTime(maintenance.end)}`,
    )
    .join("; ");
  return (
    <Tooltip title={details}>
      <Chip
        size="small"
        color="info"
        icon={<ConstructionIcon />}
        label="Maintenance"
        aria-label={`Maintenance: ${label}`}
        tabIndex={0}
        sx={sx}
      />
    </Tooltip>
  );
}
