import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";
import { swaggerUiAssets } from "./scripts/swagger-ui-assets.mjs";

// The backend serves the build from src/envdeck/web/static; `npm run dev` proxies the API to a
// running `envdeck serve`.
export default defineConfig({
  // swaggerUiAssets: Swagger UI for /api/docs, from the swagger-ui-dist package.
  plugins: [react(), swaggerUiAssets()],
  build: {
    outDir: "../src/envdeck/web/static",
    emptyOutDir: true,
    // React + MUI + TanStack Query: ~180 kB gzipped in one chunk; pages get lazy-loaded
    // chunks of their own as they arrive.
    chunkSizeWarningLimit: 700,
  },
  server: {
    port: 5173,
    proxy: {
      "/api": "http://127.0.0.1:8080",
      "/ws": { target: "ws://127.0.0.1:8080", ws: true },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["./src/test/setup.ts"],
    // Above the 5 s that findBy*/waitFor may wait (src/test/setup.ts), so they report first.
    testTimeout: 15_000,
  },
});
