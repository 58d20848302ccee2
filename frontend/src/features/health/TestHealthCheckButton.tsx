import { Alert, Button, CircularProgress, Stack } from "@mui/material";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";

import { errorMessage } from "../../lib/serverErrors";
import CheckResultView from "./CheckResultView";
import { testHealthCheck } from "./queries";
import type { HealthCheckDraft } from "./types";

interface TestHealthCheckButtonProps {
  /**
   * The form's current health check (and the environment URL a path endpoint is joined to),
   * once their fields are valid; null (the form then shows what is wrong) when they are not.
   */
  getHealthCheck: () => Promise<HealthCheckDraft | null>;
  /** The environment being edited: its stored secret header values are used for masked ones. */
  environmentId: string | null;
}

/** Try the health check as the form has it, without saving, and show what it found. */
export default function TestHealthCheckButton({
  getHealthCheck,
  environmentId,
}: TestHealthCheckButtonProps) {
  const [invalid, setInvalid] = useState<string | null>(null);
  const test = useMutation({
    mutationFn: (draft: HealthCheckDraft) => testHealthCheck(draft, environmentId),
  });
  const run = async () => {
    setInvalid(null);
    test.reset();
    const draft = await getHealthCheck();
    if (draft === null) {
      setInvalid("Fix the health-check fields above first.");
    } else if (!draft.healthCheck.endpoint) {
      setInvalid("Enter an endpoint to test.");
    } else {
      test.mutate(draft);
    }
  };
  return (
    <Stack spacing={2} alignItems="flex-start">
      <Button
        variant="outlined"
        onClick={() => void run()}
        disabled={test.isPending}
        startIcon={test.isPending ? <CircularProgress size={16} color="inherit" /> : undefined}
      >
        {test.isPending ? "Testing…" : "Test health check"}
      </Button>
      {invalid && <Alert severity="warning">{invalid}</Alert>}
      {test.isError && <Alert severity="error">{errorMessage(test.error)}</Alert>}
      {test.data && <CheckResultView result={test.data} />}
    </Stack>
  );
}
