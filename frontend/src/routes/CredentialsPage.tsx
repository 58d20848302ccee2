import { Stack, Typography } from "@mui/material";

import CredentialsManager from "../features/credentials/CredentialsManager";
import { useDocumentTitle } from "../lib/useDocumentTitle";

/** Credentials (admins only: the route shows NoAccessPage to anyone else). */
export default function CredentialsPage() {
  useDocumentTitle("Credentials");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Credentials
      </Typography>
      <CredentialsManager />
    </Stack>
  );
}
