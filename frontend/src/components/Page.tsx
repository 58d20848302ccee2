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
    <Stack spacing={{ xs: 2, sm: 3 }}>
      <Typography variant="h4" component="h1" sx={{ fontSize: { xs: "1.75rem", sm: "2.125rem" } }}>
        {title}
      </Typography>
      {children}
    </Stack>
  );
}
