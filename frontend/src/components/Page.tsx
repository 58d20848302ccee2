import { Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";

import { useDocumentTitle } from "../lib/useDocumentTitle";

interface PageProps {
  /** The page's heading, and the browser tab's title. */
  title: string;
  children: ReactNode;
}

/** A page of the app: its heading over its content. */
export default function Page({ title, children }: PageProps) {
  useDocumentTitle(title);
  return (
    <Stack spacing={3}>
      <Typography variant="h4" component="h1">
        {title}
      </Typography>
      {children}
    </Stack>
  );
}
