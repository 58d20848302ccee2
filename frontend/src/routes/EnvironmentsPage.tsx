import { Stack, Typography } from "@mui/material";

import EnvironmentsDashboard from "../features/environments/EnvironmentsDashboard";
import { hasRole } from "../lib/roles";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";
import { environmentSlots } from "./slots";

/** The start page: every environment at a glance. */
export default function EnvironmentsPage() {
  useDocumentTitle("Environments");
  const { session } = useSession();
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Environments
      </Typography>
      {session && (
        <EnvironmentsDashboard
          canManage={hasRole(session.user.role, "admin")}
          slots={environmentSlots}
        />
      )}
    </Stack>
  );
}
