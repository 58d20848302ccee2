// Fails when the committed typed client no longer matches the backend's OpenAPI.
// Usage: node scripts/check-api.mjs <freshly exported openapi.json>
// Generates the TypeScript with the same openapi-typescript CLI as `npm run gen:api` (into a
// temporary file) and compares it byte-for-byte with src/api/schema.d.ts; it also checks that the
// committed openapi.json is that export, so `npm run gen:api` reproduces the committed schema.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const OUT_OF_DATE =
  "src/api/schema.d.ts is out of date with the backend's OpenAPI: run `make api-client`";

const frontend = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const arg = process.argv[2];
if (!arg) {
  console.error("usage: node scripts/check-api.mjs <freshly exported openapi.json>");
  process.exit(2);
}
const fresh = resolve(arg);
if (!existsSync(fresh)) {
  console.error(`check-api: ${arg} does not exist`);
  process.exit(2);
}

const cli = join(frontend, "node_modules", "openapi-typescript", "bin", "cli.js");
const dir = mkdtempSync(join(tmpdir(), "envdeck-api-"));
const problems = [];
try {
  const generated = join(dir, "schema.d.ts");
  execFileSync(process.execPath, [cli, fresh, "-o", generated], {
    cwd: frontend,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const committed = (path) => {
    const file = join(frontend, path);
    return existsSync(file) ? readFileSync(file) : Buffer.alloc(0);
  };
  if (!readFileSync(generated).equals(committed("src/api/schema.d.ts"))) {
    problems.push("src/api/schema.d.ts differs from what the backend's OpenAPI generates");
  }
  if (!readFileSync(fresh).equals(committed("openapi.json"))) {
    problems.push("openapi.json differs from the backend's exported OpenAPI");
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(OUT_OF_DATE);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log("src/api/schema.d.ts is up to date with the backend's OpenAPI.");
