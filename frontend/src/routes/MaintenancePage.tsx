import { Stack, Typography } from "@mui/material";

import MaintenanceManager from "../features/maintenance/MaintenanceManager";
import { hasRole } from "../lib/roles";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";
import { scopeWidgets } from "./slots";

/** Maintenance windows: everyone reads them, admins plan them. */
export default function MaintenancePage() {
  useDocumentTitle("Maintenance");
  const { session } = useSession();
  const canManage = session !== null && hasRole(session.user.role, "admin");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Maintenance
      </Typography>
      <MaintenanceManager canManage={canManage} scopeWidgets={scopeWidgets} />
    </Stack>
  );
}
