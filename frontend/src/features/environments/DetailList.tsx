import { Box, Typography } from "@mui/material";
import type { ReactNode } from "react";

export interface DetailItem {
  label: string;
  value: ReactNode;
}

/** Read-only label/value pairs, as a description list. */
export default function DetailList({ items }: { items: DetailItem[] }) {
  return (
    <Box
      component="dl"
      sx={{
        m: 0,
        display: "grid",
        gridTemplateColumns: { xs: "1fr", sm: "200px 1fr" },
        columnGap: 2,
        rowGap: 1,
      }}
    >
      {items.map((item) => (
        <Box key={item.label} sx={{ display: "contents" }}>
          <Typography component="dt" color="text.secondary" variant="body2">
            {item.label}
          </Typography>
          <Typography component="dd" variant="body2" sx={{ m: 0, overflowWrap: "anywhere" }}>
            {item.value === "" || item.value === null || item.value === undefined
              ? "—"
              : item.value}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
