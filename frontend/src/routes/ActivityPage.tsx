import { Stack, Typography } from "@mui/material";

import ActivityView from "../features/activity/ActivityView";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { filterPickers } from "./slots";

/** The whole activity log: who did what, searchable, live. */
export default function ActivityPage() {
  useDocumentTitle("Activity");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Activity
      </Typography>
      <ActivityView pickers={filterPickers} />
    </Stack>
  );
}
