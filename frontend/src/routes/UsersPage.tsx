import { Stack, Typography } from "@mui/material";

import UsersManager from "../features/users/UsersManager";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";

/** Users (admins only: the route shows NoAccessPage to anyone else). */
export default function UsersPage() {
  useDocumentTitle("Users");
  const { session } = useSession();
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Users
      </Typography>
      {session && <UsersManager currentUserId={session.user.id} />}
    </Stack>
  );
}
