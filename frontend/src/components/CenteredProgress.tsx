import { Box, CircularProgress } from "@mui/material";

/** A spinner in the middle of the window, named for screen readers. */
export default function CenteredProgress({ label }: { label: string }) {
  return (
    <Box sx={{ display: "grid", placeItems: "center", minHeight: "100vh" }}>
      <CircularProgress aria-label={label} />
    </Box>
  );
}
