import { Stack, Typography } from "@mui/material";

import TokensManager from "../features/tokens/TokensManager";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";

export default function TokensPage() {
  useDocumentTitle("API tokens");
  const { session } = useSession();
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        API tokens
      </Typography>
      {session && <TokensManager role={session.user.role} />}
    </Stack>
  );
}
