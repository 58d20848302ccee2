import Page from "../components/Page";
import EnvironmentsDashboard from "../features/environments/EnvironmentsDashboard";
import { hasRole } from "../lib/roles";
import { useSession } from "../lib/useSession";
import { environmentSlots } from "./slots";

/** The start page: every environment at a glance. */
export default function EnvironmentsPage() {
  const { session } = useSession();
  return (
    <Page title="Environments">
      {session && (
        <EnvironmentsDashboard
          canManage={hasRole(session.user.role, "admin")}
          slots={environmentSlots}
        />
      )}
    </Page>
  );
}
