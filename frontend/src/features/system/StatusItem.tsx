import { Box, Typography } from "@mui/material";
import { type ReactNode, useId } from "react";

/** One labelled value of a status card: a term and its definition, named by the term. */
export default function StatusItem({ label, children }: { label: string; children: ReactNode }) {
  const labelId = useId();
  return (
    <Box sx={{ display: "grid", gridTemplateColumns: "11rem 1fr", alignItems: "center", py: 1 }}>
      <Typography component="dt" id={labelId} color="text.secondary">
        {label}
      </Typography>
      <Box component="dd" aria-labelledby={labelId} sx={{ m: 0 }}>
        {children}
      </Box>
    </Box>
  );
}
