import { Button, Stack, Typography } from "@mui/material";
import { Link } from "react-router";

import { useDocumentTitle } from "../lib/useDocumentTitle";

export default function NotFoundPage() {
  useDocumentTitle("Page not found");
  return (
    <Stack spacing={2} alignItems="flex-start">
      <Typography variant="h4" component="h1">
        Page not found
      </Typography>
      <Typography color="text.secondary">There is no page at this address.</Typography>
      <Button component={Link} to="/" variant="contained">
        Go to the start page
      </Button>
    </Stack>
  );
}
