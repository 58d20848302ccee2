import Page from "../components/Page";
import RouteNotice from "../components/RouteNotice";
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
          canOperate={hasRole(session.user.role, "user")}
          slots={environmentSlots}
        />
      )}
      <RouteNotice />
    </Page>
  );
}
