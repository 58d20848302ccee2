import { useNavigate } from "react-router";

import Page from "../components/Page";
import ApprovalsInbox from "../features/promotions/ApprovalsInbox";
import PipelinesList from "../features/promotions/PipelinesList";
import { hasRole } from "../lib/roles";
import { useSession } from "../lib/useSession";
import { promotionSlots } from "./slots";

/** Pipelines: everyone reads them; admins manage them and approve promotions. */
export default function PipelinesPage() {
  const { session } = useSession();
  const navigate = useNavigate();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
  return (
    <Page title="Pipelines">
      {isAdmin && <ApprovalsInbox userId={session.user.id} />}
      <PipelinesList
        canManage={isAdmin}
        pickers={promotionSlots}
        onCreated={(pipeline) => void navigate(`/pipelines/${pipeline.id}`)}
      />
    </Page>
  );
}
