import { Stack, Typography } from "@mui/material";

import OperationsView from "../features/operations/OperationsView";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { filterPickers } from "./slots";

/** Every restart, upgrade and rollback: filterable, paged on the server, live. */
export default function OperationsPage() {
  useDocumentTitle("Operations");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Operations
      </Typography>
      <OperationsView pickers={filterPickers} />
    </Stack>
  );
}
