import { Button, Stack, Typography } from "@mui/material";
import { Link } from "react-router";

import { useDocumentTitle } from "../lib/useDocumentTitle";

/** Shown instead of a page the user's role does not allow. */
export default function NoAccessPage() {
  useDocumentTitle("No access");
  return (
    <Stack spacing={2} alignItems="flex-start">
      <Typography variant="h4" component="h1">
        You don&apos;t have access
      </Typography>
      <Typography color="text.secondary">
        Your role does not allow this page. Ask an administrator if you need it.
      </Typography>
      <Button component={Link} to="/" variant="contained">
        Go to the start page
      </Button>
    </Stack>
  );
}
