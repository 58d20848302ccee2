// A Vite plugin: Swagger UI for /api/docs (src/envdeck/api/docs.py), copied from the
// swagger-ui-dist package into the build's swagger-ui/, so the docs page loads nothing from
// another host (docs/security.md). Plain JavaScript: the config's type check has no Node types.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const FILES = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];

export function swaggerUiAssets() {
  return {
    name: "envdeck-swagger-ui-assets",
    apply: "build",
    generateBundle() {
      const require = createRequire(import.meta.url);
      const dist = dirname(require.resolve("swagger-ui-dist/package.json"));
      for (const file of FILES) {
        this.emitFile({
          type: "asset",
          fileName: `swagger-ui/${file}`,
          source: readFileSync(join(dist, file)),
        });
      }
    },
  };
}
