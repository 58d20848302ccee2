import { Navigate, Outlet, type RouteObject } from "react-router";

import CenteredProgress from "../components/CenteredProgress";
import RequireRole from "../features/auth/RequireRole";
import RequireSession from "../features/auth/RequireSession";
import { DEFAULT_PAGE } from "../features/auth/returnPath";
import StartGate from "../features/auth/StartGate";
import RealtimeProvider from "../lib/realtime/RealtimeProvider";
import AppShell from "./AppShell";
import NoAccessPage from "./NoAccessPage";
import NotFoundPage from "./NotFoundPage";
import SystemStatusPage from "./SystemStatusPage";

/** A page in a chunk of its own, loaded when first opened. */
function page(load: () => Promise<{ default: React.ComponentType }>): RouteObject["lazy"] {
  return async () => ({ Component: (await load()).default });
}

/**
 * What shows while the first page's code loads: without it React Router warns on every load
 * (and renders nothing meanwhile).
 */
const loading = <CenteredProgress label="Loading Envdeck" />;

/** The pages of admins: the role is checked before the page (or its code) is loaded. */
const adminsOnly = (
  <RequireRole atLeast="admin" fallback={<NoAccessPage />}>
    <Outlet />
  </RequireRole>
);

export const routes: RouteObject[] = [
  // Outside the app's frame and its sign-in: anyone may read a public status page.
  {
    path: "status/:slug",
    lazy: page(() => import("./PublicStatusPage")),
    hydrateFallbackElement: loading,
  },
  {
    element: <StartGate />,
    hydrateFallbackElement: loading,
    children: [
      { path: "setup", lazy: page(() => import("./SetupPage")) },
      { path: "login", lazy: page(() => import("./LoginPage")) },
      {
        element: (
          <RequireSession>
            <RealtimeProvider>
              <AppShell />
            </RealtimeProvider>
          </RequireSession>
        ),
        children: [
          { index: true, element: <Navigate to={DEFAULT_PAGE} replace /> },
          {
            path: "environments",
            children: [
              { index: true, lazy: page(() => import("./EnvironmentsPage")) },
              {
                // Creating and editing are for admins.
                element: adminsOnly,
                children: [
                  { path: "new", lazy: page(() => import("./EnvironmentFormPage")) },
                  { path: ":id/edit", lazy: page(() => import("./EnvironmentFormPage")) },
                ],
              },
              { path: ":id", lazy: page(() => import("./EnvironmentDetailsPage")) },
            ],
          },
          { path: "versions", lazy: page(() => import("./VersionsPage")) },
          {
            path: "pipelines",
            children: [
              { index: true, lazy: page(() => import("./PipelinesPage")) },
              { path: ":id", lazy: page(() => import("./PipelinePage")) },
            ],
          },
          { path: "promotions/:id", lazy: page(() => import("./PromotionPage")) },
          { path: "activity", lazy: page(() => import("./ActivityPage")) },
          {
            path: "operations",
            children: [
              { index: true, lazy: page(() => import("./OperationsPage")) },
              { path: ":id", lazy: page(() => import("./OperationPage")) },
            ],
          },
          { path: "reservations", lazy: page(() => import("./ReservationsPage")) },
          { path: "maintenance", lazy: page(() => import("./MaintenancePage")) },
          { path: "system", element: <SystemStatusPage /> },
          {
            path: "users",
            element: adminsOnly,
            children: [{ index: true, lazy: page(() => import("./UsersPage")) }],
          },
          {
            path: "credentials",
            element: adminsOnly,
            children: [{ index: true, lazy: page(() => import("./CredentialsPage")) }],
          },
          {
            path: "notifications",
            element: adminsOnly,
            children: [{ index: true, lazy: page(() => import("./NotificationsPage")) }],
          },
          {
            path: "status-pages",
            element: adminsOnly,
            children: [{ index: true, lazy: page(() => import("./StatusPagesPage")) }],
          },
          { path: "tokens", lazy: page(() => import("./TokensPage")) },
          { path: "*", element: <NotFoundPage /> },
        ],
      },
    ],
  },
];
