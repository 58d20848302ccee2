import { Chip, Stack, Typography } from "@mui/material";

import type { Board } from "./types";

/** Per version, the stages it is verified on now: where each release has got to. */
export default function VersionPlaces({ versions }: { versions: Board["versions"] }) {
  if (versions.length === 0) return null;
  return (
    <Stack spacing={1} component="ul" aria-label="Verified versions" sx={{ p: 0, m: 0 }}>
      {versions.map(({ version, stages }) => (
        <Stack
          key={version}
          component="li"
          direction="row"
          spacing={1}
          alignItems="center"
          aria-label={version}
        >
          <Typography variant="body2" sx={{ fontFamily: "monospace", minWidth: 64 }}>
            {version}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            verified on
          </Typography>
          {stages.map((stage) => (
            <Chip key={stage} size="small" variant="outlined" label={stage} />
          ))}
        </Stack>
      ))}
    </Stack>
  );
}
