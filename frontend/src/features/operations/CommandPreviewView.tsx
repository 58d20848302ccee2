import { Alert, Box, CircularProgress, Typography } from "@mui/material";
import type { UseQueryResult } from "@tanstack/react-query";

import { errorMessage } from "../../lib/serverErrors";
import type { components } from "../../api/schema";
import type { CommandPreview } from "./types";

type RequestPreview = components["schemas"]["HttpRequestPreview"];

const CODE_SX = {
  m: 0,
  p: 1.5,
  borderRadius: 1,
  bgcolor: "action.hover",
  fontFamily: "monospace",
  fontSize: 13,
  whiteSpace: "pre-wrap",
  wordBreak: "break-all",
  maxHeight: 240,
  overflow: "auto",
} as const;

function requestText(request: RequestPreview | null | undefined): string {
  if (!request) return "";
  const headers = Object.entries(request.headers ?? {}).map(([name, value]) => `${name}: ${value}`);
  const body =
    request.body === undefined || request.body === null
      ? []
      : [
          "",
          typeof request.body === "string" ? request.body : JSON.stringify(request.body, null, 2),
        ];
  return [`${request.method} ${request.url}`, ...headers, ...body].join("\n");
}

/** Exactly what will run: the SSH script, or the HTTP request (secrets shown as ********). */
export default function CommandPreviewView({
  preview,
}: {
  preview: UseQueryResult<CommandPreview>;
}) {
  if (preview.isPending) return <CircularProgress size={20} aria-label="Loading the command" />;
  if (preview.isError) return <Alert severity="error">{errorMessage(preview.error)}</Alert>;
  const data = preview.data;
  return (
    <Box>
      <Typography variant="subtitle2" gutterBottom>
        {data.type === "ssh"
          ? `Runs as one script over SSH${data.target ? ` on ${data.target}` : ""}`
          : "Sends this HTTP request"}
      </Typography>
      <Box component="pre" aria-label="Command preview" sx={CODE_SX}>
        {data.type === "ssh" ? (data.command ?? "") : requestText(data.request)}
      </Box>
    </Box>
  );
}
