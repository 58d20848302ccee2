import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

/** One labelled value of a status card, as a description-list pair. */
export default function StatusItem({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: "11rem 1fr", alignItems: "center", py: 1 }}>
      <Typography component="dt" color="text.secondary">
        {label}
      </Typography>
      <Box component="dd" sx={{ m: 0 }}>
        {children}
      </Box>
    </Box>
  );
}
