import { Alert, Button, CircularProgress, Stack } from "@mui/material";
import { useMutation, useQueryClient } from "@tanstack/react-query";

import { errorMessage } from "../../lib/serverErrors";
import CheckResultView from "./CheckResultView";
import { checkHealthNow, healthQueries } from "./queries";

/** Run a check of this environment at once and show what it found. */
export default function CheckNowButton({ environmentId }: { environmentId: string }) {
  const queryClient = useQueryClient();
  const check = useMutation({
    mutationFn: () => checkHealthNow(environmentId),
    // The check is recorded like a scheduled one: the charts and the table have a new sample.
    onSettled: () =>
      queryClient.invalidateQueries({ queryKey: healthQueries.ofEnvironment(environmentId) }),
  });
  return (
    <Stack spacing={2} alignItems="flex-start">
      <Button
        variant="contained"
        onClick={() => check.mutate()}
        disabled={check.isPending}
        startIcon={check.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
      >
        {check.isPending ? "Checking…" : "Check now"}
      </Button>
      {check.isError && <Alert severity="error">{errorMessage(check.error)}</Alert>}
      {check.data && !check.isPending && <CheckResultView result={check.data} />}
    </Stack>
  );
}
