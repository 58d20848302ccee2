import Page from "../components/Page";
import InstancesCard from "../features/system/InstancesCard";
import SystemStatusCard from "../features/system/SystemStatusCard";
import { hasRole } from "../lib/roles";
import { useSession } from "../lib/useSession";

export default function SystemStatusPage() {
  const { session } = useSession();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
  return (
    <Page title="System status">
      <SystemStatusCard />
      {isAdmin && <InstancesCard />}
    </Page>
  );
}
