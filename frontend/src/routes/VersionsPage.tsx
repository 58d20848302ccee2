import { Stack, Typography } from "@mui/material";

import VersionsView from "../features/versions/VersionsView";
import { useDocumentTitle } from "../lib/useDocumentTitle";

/** Which version each environment runs, and how far behind the newest it is. */
export default function VersionsPage() {
  useDocumentTitle("Versions");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Versions
      </Typography>
      <VersionsView />
    </Stack>
  );
}
