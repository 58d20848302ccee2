import { Stack, Typography } from "@mui/material";

import InstancesCard from "../features/system/InstancesCard";
import SystemStatusCard from "../features/system/SystemStatusCard";
import { hasRole } from "../lib/roles";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";

export default function SystemStatusPage() {
  useDocumentTitle("System status");
  const { session } = useSession();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        System status
      </Typography>
      <SystemStatusCard />
      {isAdmin && <InstancesCard />}
    </Stack>
  );
}
