import { Stack, Typography } from "@mui/material";

import SystemStatusCard from "../features/system/SystemStatusCard";
import { useDocumentTitle } from "../lib/useDocumentTitle";

export default function SystemStatusPage() {
  useDocumentTitle("System status");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        System status
      </Typography>
      <SystemStatusCard />
    </Stack>
  );
}
