import { Stack, Typography } from "@mui/material";

import NotificationsManager from "../features/notifications/NotificationsManager";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { scopeWidgets } from "./slots";

/** Notification channels (admins only: the route shows NoAccessPage to anyone else). */
export default function NotificationsPage() {
  useDocumentTitle("Notifications");
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        Notifications
      </Typography>
      <NotificationsManager scopeWidgets={scopeWidgets} />
    </Stack>
  );
}
