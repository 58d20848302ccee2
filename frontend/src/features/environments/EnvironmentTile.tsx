import { Box, Checkbox, Link, Stack, Tooltip, Typography } from "@mui/material";
import { useContext } from "react";
import { Link as RouterLink } from "react-router";

import { HEALTH_LABELS, healthColor } from "./health";
import type { Environment } from "./queries";
import { SelectionContext } from "./SelectionContext";

/** One environment in a cell of the grouped view: health, name, version, busy mark. */
export default function EnvironmentTile({ environment }: { environment: Environment }) {
  const selection = useContext(SelectionContext);
  const health = environment.status?.health ?? "unknown";
  const version = environment.systemInfo?.appVersion;
  const active = environment.activeOperation;
  return (
    <Stack
      direction="row"
      spacing={0.5}
      alignItems="center"
      sx={{
        borderLeft: 4,
        borderLeftColor: (theme) => healthColor(theme, health),
        pl: selection ? 0 : 1,
        minWidth: 0,
      }}
    >
      {selection && (
        <Checkbox
          size="small"
          checked={selection.has(environment.id)}
          onChange={() => selection.toggle(environment)}
          slotProps={{ input: { "aria-label": `Select ${environment.name}` } }}
          sx={{ p: 0.5 }}
        />
      )}
      <Box sx={{ minWidth: 0 }}>
        <Typography variant="body2" noWrap>
          <Link component={RouterLink} to={`/environments/${environment.id}`} underline="hover">
            {environment.name}
          </Link>
        </Typography>
        <Typography variant="caption" color="text.secondary" component="p" noWrap>
          {/* The colour alone would not tell a screen reader or a colour-blind reader. */}
          {HEALTH_LABELS[health]} · {version || "no version"}
          {active && (
            <Tooltip title={`A ${active.type} is running`}>
              <Box component="span"> · {active.type}…</Box>
            </Tooltip>
          )}
        </Typography>
      </Box>
    </Stack>
  );
}
