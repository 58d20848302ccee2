import Page from "../components/Page";
import MaintenanceManager from "../features/maintenance/MaintenanceManager";
import { hasRole } from "../lib/roles";
import { useSession } from "../lib/useSession";
import { scopeWidgets } from "./slots";

/** Maintenance windows: everyone reads them, admins plan them. */
export default function MaintenancePage() {
  const { session } = useSession();
  const canManage = session !== null && hasRole(session.user.role, "admin");
  return (
    <Page title="Maintenance">
      <MaintenanceManager canManage={canManage} scopeWidgets={scopeWidgets} />
    </Page>
  );
}
