import ArrowBackIcon from "@mui/icons-material/ArrowBack";
import DeleteIcon from "@mui/icons-material/Delete";
import EditIcon from "@mui/icons-material/Edit";
import { Alert, Box, Button, CircularProgress, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { ApiError } from "../api/client";
import { useSession } from "../features/auth/useSession";
import { credentialQueries } from "../features/credentials/queries";
import DeleteEnvironmentDialog from "../features/environments/DeleteEnvironmentDialog";
import EnvironmentDetails from "../features/environments/EnvironmentDetails";
import HealthChip from "../features/environments/HealthChip";
import { environmentQueries } from "../features/environments/queries";
import { hasRole } from "../lib/roles";
import { errorMessage } from "../lib/serverErrors";
import { useDocumentTitle } from "../lib/useDocumentTitle";

/** One environment: its overview, configuration and timestamps; admins may delete it. */
export default function EnvironmentDetailsPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const { session } = useSession();
  const isAdmin = session !== null && hasRole(session.user.role, "admin");
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
    <Button component={Link} to="/environments" startIcon={<ArrowBackIcon />}>
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
        <HealthChip health={env.status?.health ?? "unknown"} />
        <Box sx={{ flexGrow: 1 }} />
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
      <EnvironmentDetails environment={env} credentialName={credentialName} />
      {deleting && (
        <DeleteEnvironmentDialog
          environment={env}
          onClose={() => setDeleting(false)}
          onDeleted={() => void navigate("/environments", { replace: true })}
        />
      )}
    </Stack>
  );
}
