import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { Alert, Box, Button, CircularProgress, Stack, Tab, Tabs, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";

import { ApiError } from "../api/client";
import RouteNotice from "../components/RouteNotice";
import ActivityView from "../features/activity/ActivityView";
import { credentialQueries } from "../features/credentials/queries";
import DeleteEnvironmentDialog from "../features/environments/DeleteEnvironmentDialog";
import EnvironmentDetails from "../features/environments/EnvironmentDetails";
import HealthChip from "../features/environments/HealthChip";
import { environmentQueries } from "../features/environments/queries";
import { lastDashboardPath } from "../features/environments/useDashboardUrlState";
import MaintenanceChip from "../features/maintenance/MaintenanceChip";
import OperationActions from "../features/operations/OperationActions";
import OperationsView from "../features/operations/OperationsView";
import { useRealtimeSubscription } from "../lib/realtime/useRealtimeSubscription";
import { hasRole } from "../lib/roles";
import { withNotice } from "../lib/routeNotice";
import { errorMessage } from "../lib/serverErrors";
import { useDocumentTitle } from "../lib/useDocumentTitle";
import { useSession } from "../lib/useSession";
import EnvironmentReservation from "./EnvironmentReservation";
import { filterPickers } from "./slots";

const OBJECT_ID = /^[0-9a-f]{24}$/;
// With its charts library, loaded when the tab is first opened.
const HealthTab = lazy(() => import("../features/health/HealthTab"));
const TABS = ["overview", "health", "operations", "activity"] as const;
type TabName = (typeof TABS)[number];

function tabOf(value: string | null): TabName {
  return TABS.find((t) => t === value) ?? "overview";
}

/**
 * One environment: its overview, configuration and timestamps, and its activity; admins may
 * delete it. Status and changes arrive live (the environments feature keeps the cache).
 */
export default function EnvironmentDetailsPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const tab = tabOf(searchParams.get("tab"));
  // This environment's log and operation frames, for as long as the page is open.
  useRealtimeSubscription(OBJECT_ID.test(id) ? { environments: [id] } : null);
  const { session } = useSession();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
  const canCheck = session !== null && hasRole(session.user.role, "user");
  const [deleting, setDeleting] = useState(false);
  const environment = useQuery(environmentQueries.detail(id));
  const keyId = environment.data?.credentials?.keyId;
  // Credentials are for admins only: anyone else sees that one is set, not its name.
  const credential = useQuery({
    ...credentialQueries.detail(keyId ?? ""),
    enabled: isAdmin && Boolean(keyId),
  });
  useDocumentTitle(environment.data?.name ?? "Environment");

  const back = (
    <Button component={Link} to={lastDashboardPath()} startIcon={<ArrowBackIcon />}>
      All environments
    </Button>
  );

  if (environment.isPending) return <CircularProgress aria-label="Loading environment" />;
  if (environment.isError) {
    const notFound = environment.error instanceof ApiError && environment.error.status === 404;
    return (
      <Stack spacing={2} alignItems="flex-start">
        <Typography variant="h4" component="h1">
          {notFound ? "Environment not found" : "Environment"}
        </Typography>
        {notFound ? (
          <Typography color="text.secondary">
            There is no environment with this id: it may have been deleted.
          </Typography>
        ) : (
          <Alert severity="error">{errorMessage(environment.error)}</Alert>
        )}
        {back}
      </Stack>
    );
  }

  const env = environment.data;
  const credentialName = !isAdmin
    ? null
    : credential.isSuccess
      ? credential.data.name
      : credential.isError
        ? null
        : undefined;
  return (
    <Stack spacing={3}>
      <Box>{back}</Box>
      <Stack direction="row" spacing={2} alignItems="center" useFlexGap flexWrap="wrap">
        <Typography variant="h4" component="h1">
          {env.name}
        </Typography>
        <HealthChip health={env.status?.health ?? "unknown"} operation={env.activeOperation} />
        <MaintenanceChip environment={env} />
        <Box sx={{ flexGrow: 1 }} />
        <OperationActions environment={env} />
        {isAdmin && (
          <Button
            variant="contained"
            startIcon={<EditIcon />}
            component={Link}
            to={`/environments/${env.id}/edit`}
          >
            Edit
          </Button>
        )}
        {isAdmin && (
          <Button
            color="error"
            variant="outlined"
            startIcon={<DeleteIcon />}
            onClick={() => setDeleting(true)}
          >
            Delete
          </Button>
        )}
      </Stack>
      <EnvironmentReservation environment={env} />
      <Tabs
        value={tab}
        // Each tab's filters live in the address; another tab starts without them.
        onChange={(_event, next: string) =>
          setSearchParams(next === "overview" ? {} : { tab: next }, { replace: true })
        }
        aria-label="Environment sections"
        sx={{ borderBottom: 1, borderColor: "divider" }}
      >
        <Tab value="overview" label="Overview" />
        <Tab value="health" label="Health" />
        <Tab value="operations" label="Operations" />
        <Tab value="activity" label="Activity" />
      </Tabs>
      {tab === "overview" && (
        <EnvironmentDetails environment={env} credentialName={credentialName} />
      )}
      {tab === "health" && (
        <Suspense fallback={<CircularProgress aria-label="Loading health" />}>
          <HealthTab environmentId={env.id} status={env.status} canCheck={canCheck} />
        </Suspense>
      )}
      {tab === "operations" && <OperationsView environmentId={env.id} pickers={filterPickers} />}
      {tab === "activity" && <ActivityView environmentId={env.id} pickers={filterPickers} />}
      <RouteNotice />
      {deleting && (
        <DeleteEnvironmentDialog
          environment={env}
          onClose={() => setDeleting(false)}
          onDeleted={() =>
            void navigate(lastDashboardPath(), {
              replace: true,
              state: withNotice(`Deleted ${env.name}.`),
            })
          }
        />
      )}
    </Stack>
  );
}
