import { CssBaseline, ThemeProvider } from "@mui/material";
import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useMemo } from "react";
import { RouterProvider, type createBrowserRouter } from "react-router";

import { ColorModeContext } from "./theme/ColorModeContext";
import { makeTheme } from "./theme/theme";
import { useColorMode } from "./theme/useColorMode";

interface AppProps {
  queryClient: QueryClient;
  router: ReturnType<typeof createBrowserRouter>;
}

export default function App({ queryClient, router }: AppProps) {
  const [mode, toggle] = useColorMode();
  const theme = useMemo(() => makeTheme(mode), [mode]);
  const colorMode = useMemo(() => ({ mode, toggle }), [mode, toggle]);
  return (
    <QueryClientProvider client={queryClient}>
      <ColorModeContext.Provider value={colorMode}>
        <ThemeProvider theme={theme}>
          <CssBaseline />
          <RouterProvider router={router} />
        </ThemeProvider>
      </ColorModeContext.Provider>
    </QueryClientProvider>
  );
}
