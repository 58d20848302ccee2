import "@fontsource/roboto/400.css";
import "@fontsource/roboto/500.css";
import "@fontsource/roboto/700.css";

import { QueryClient } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { config as configureZod } from "zod";

import App from "./App";
import { api, ApiError } from "./api/client";
import { authMiddleware } from "./lib/authMiddleware";
import { routes } from "./routes/routes";

// A 4xx will answer the same again (and a 401 has already ended the session): retry only
// when the server or the network may recover.
const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      retry: (failures, error) =>
        failures < 1 && !(error instanceof ApiError && error.status < 500),
      refetchOnWindowFocus: true,
    },
  },
});

// Zod probes `new Function` to compile faster parsers; the server's Content-Security-Policy (no
// 'unsafe-eval') refuses it, and the browser reports each refusal as a violation. Jitless parsing
// never tries (docs/security.md).
configureZod({ jitless: true });

api.use(authMiddleware);
const router = createBrowserRouter(routes);

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <App queryClient={queryClient} router={router} />
  </StrictMode>,
);
