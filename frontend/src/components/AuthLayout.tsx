import { Box, Paper, Stack, Typography } from "@mui/material";
import type { ReactNode } from "react";

import ThemeToggle from "./ThemeToggle";

/** The frame of the pages shown before signing in: a card in the middle of the window. */
export default function AuthLayout({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box
      sx={{
        minHeight: "100vh",
        display: "grid",
        placeItems: "center",
        p: 2,
        bgcolor: "background.default",
      }}
    >
      <Box sx={{ position: "fixed", top: 8, right: 8 }}>
        <ThemeToggle />
      </Box>
      <Paper variant="outlined" sx={{ width: "100%", maxWidth: 440, p: { xs: 3, sm: 4 } }}>
        <Stack spacing={3}>
          <Box>
            <Typography
              variant="overline"
              color="primary"
              sx={{ fontWeight: 700, letterSpacing: 2 }}
            >
              Envdeck
            </Typography>
            <Typography variant="h5" component="h1">
              {title}
            </Typography>
          </Box>
          {children}
        </Stack>
      </Paper>
    </Box>
  );
}
