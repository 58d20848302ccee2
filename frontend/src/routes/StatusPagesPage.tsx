import Page from "../components/Page";
import StatusPagesManager from "../features/statusPages/StatusPagesManager";
import { scopeWidgets } from "./slots";

/** Status pages: admins choose the groups and who may read each page. */
export default function StatusPagesPage() {
  return (
    <Page title="Status pages">
      <StatusPagesManager scopeWidgets={scopeWidgets} />
    </Page>
  );
}
