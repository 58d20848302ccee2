// Fails when src/api/schema.d.ts no longer matches the backend's OpenAPI.
// Usage: node scripts/check-api.mjs <freshly exported openapi.json>
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const fresh = process.argv[2];
if (!fresh) {
  console.error("usage: node scripts/check-api.mjs <openapi.json>");
  process.exit(2);
}

const dir = mkdtempSync(join(tmpdir(), "envdeck-api-"));
try {
  const generated = join(dir, "schema.d.ts");
  execFileSync("node_modules/.bin/openapi-typescript", [fresh, "-o", generated], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  const same =
    readFileSync(generated, "utf8") === readFileSync("src/api/schema.d.ts", "utf8") &&
    readFileSync(fresh, "utf8") === readFileSync("openapi.json", "utf8");
  if (!same) {
    console.error(
      "src/api/schema.d.ts is out of date with the backend's OpenAPI: run `make api-client`",
    );
    process.exit(1);
  }
  console.log("API client is up to date with the backend's OpenAPI.");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
