import { Paper, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";

/** One titled section of the environment form. */
export default function FormSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper variant="outlined" component="fieldset" sx={{ p: 2, m: 0, minWidth: 0 }}>
      <Typography variant="h6" component="legend" sx={{ px: 0.5 }}>
        {title}
      </Typography>
      <Stack spacing={2} sx={{ mt: 1 }}>
        {children}
      </Stack>
    </Paper>
  );
}
