import { Alert, AlertTitle, Box, Stack, Typography } from "@mui/material";

import { formatResponseTime } from "../../lib/duration";
import type { CheckResult } from "./types";

const SEVERITY = { healthy: "success", unhealthy: "error", unknown: "info" } as const;
const TITLE = { healthy: "Healthy", unhealthy: "Unhealthy", unknown: "Unknown" } as const;

/** What one check found: health, message, response time, status code, the answer's start. */
export default function CheckResultView({ result }: { result: CheckResult }) {
  const details = result.details ?? {};
  const facts = [
    `Response time: ${formatResponseTime(result.responseTime)}`,
    `Status code: ${details.statusCode ?? "—"}`,
    ...(details.version ? [`Version: ${details.version}`] : []),
  ];
  return (
    <Alert severity={SEVERITY[result.health]} aria-label="Check result" sx={{ overflow: "hidden" }}>
      <AlertTitle>{TITLE[result.health]}</AlertTitle>
      <Stack spacing={0.5}>
        {result.message && <Typography variant="body2">{result.message}</Typography>}
        <Typography variant="body2">{facts.join(" · ")}</Typography>
        {details.response && (
          <Box
            component="pre"
            aria-label="Response body"
            sx={{
              m: 0,
              p: 1,
              maxHeight: 160,
              overflow: "auto",
              fontSize: 12,
              whiteSpace: "pre-wrap",
              wordBreak: "break-all",
              bgcolor: "action.hover",
              borderRadius: 1,
            }}
          >
            {details.response}
          </Box>
        )}
      </Stack>
    </Alert>
  );
}
