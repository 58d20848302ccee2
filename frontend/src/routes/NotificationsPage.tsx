import Page from "../components/Page";
import NotificationsManager from "../features/notifications/NotificationsManager";
import { scopeWidgets } from "./slots";

/** Notification channels (admins only: the route shows NoAccessPage to anyone else). */
export default function NotificationsPage() {
  return (
    <Page title="Notifications">
      <NotificationsManager scopeWidgets={scopeWidgets} />
    </Page>
  );
}
