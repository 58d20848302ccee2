import { Alert, Box, Button, Container, Stack, Typography } from "@mui/material";
import { useQuery } from "@tanstack/react-query";
import { Link, useLocation, useParams } from "react-router";

import { ApiError } from "../api/client";
import CenteredProgress from "../components/CenteredProgress";
import ThemeToggle from "../components/ThemeToggle";
import HealthChip from "../features/environments/HealthChip";
import type { LoginLocationState } from "../features/auth/returnPath";
import { statusPageQueries } from "../features/statusPages/queries";
import StatusPageBoard from "../features/statusPages/StatusPageBoard";
import { errorMessage } from "../lib/serverErrors";
import { useDocumentTitle } from "../lib/useDocumentTitle";

/**
 * A status page at /status/:slug, outside the app's frame: anyone reads a public one; a private
 * one (or none at this address) asks to sign in, then comes back here.
 */
export default function PublicStatusPage() {
  const { slug = "" } = useParams();
  const location = useLocation();
  const view = useQuery(statusPageQueries.view(slug));
  useDocumentTitle(view.data ? `${view.data.title} · Status` : "Status");

  let content;
  if (view.isPending) {
    content = <CenteredProgress label="Loading the status page" />;
  } else if (view.data) {
    content = <StatusPageBoard view={view.data} HealthChip={HealthChip} />;
  } else if (view.error instanceof ApiError && view.error.status === 401) {
    const state: LoginLocationState = { from: location.pathname };
    content = (
      <Stack spacing={2} sx={{ alignItems: "flex-start" }}>
        <Typography variant="h4" component="h1">
          Sign in to see this status page
        </Typography>
        <Typography color="text.secondary">
          This page is not public, or there is none at this address.
        </Typography>
        <Button component={Link} to="/login" state={state} variant="contained">
          Sign in
        </Button>
      </Stack>
    );
  } else if (view.error instanceof ApiError && view.error.status === 404) {
    content = (
      <Stack spacing={2}>
        <Typography variant="h4" component="h1">
          Status page not found
        </Typography>
        <Typography color="text.secondary">There is no status page at this address.</Typography>
      </Stack>
    );
  } else {
    content = <Alert severity="error">{errorMessage(view.error)}</Alert>;
  }

  return (
    <Box sx={{ minHeight: "100vh", bgcolor: "background.default" }}>
      <Container maxWidth="md" component="main" sx={{ py: { xs: 2, sm: 4 } }}>
        <Stack direction="row" sx={{ alignItems: "center", mb: 2 }}>
          <Typography
            variant="overline"
            color="primary"
            sx={{ fontWeight: 700, letterSpacing: 2, flexGrow: 1 }}
          >
            Envdeck status
          </Typography>
          <ThemeToggle />
        </Stack>
        {content}
      </Container>
    </Box>
  );
}
