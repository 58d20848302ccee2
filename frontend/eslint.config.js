// ESLint: the recommended JavaScript and TypeScript rules, and the import boundaries between
// the folders of src/ (docs/architecture.md, "Frontend"): a feature never imports another
// feature, and the shared folders (components, lib, api, theme) never import a feature or a page.
import js from "@eslint/js";
import boundaries from "eslint-plugin-boundaries";
import globals from "globals";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/api/schema.d.ts"] },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ["**/*.{ts,tsx}"],
    languageOptions: { globals: globals.browser },
    rules: {
      // A leading underscore marks what is left out on purpose (`const { a: _a, ...rest }`).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
    },
  },
  {
    files: ["*.{js,mjs,ts}", "scripts/**"],
    languageOptions: { globals: globals.node },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { boundaries },
    settings: {
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".js"] } },
      "boundaries/elements": [
        { type: "feature", pattern: "src/features/*", capture: ["feature"] },
        { type: "routes", pattern: "src/routes" },
        { type: "components", pattern: "src/components" },
        { type: "lib", pattern: "src/lib" },
        { type: "api", pattern: "src/api" },
        { type: "theme", pattern: "src/theme" },
        { type: "test", pattern: "src/test" },
      ],
    },
    rules: {
      "boundaries/dependencies": [
        "error",
        {
          default: "allow",
          policies: [
            {
              from: { element: { type: "feature" } },
              disallow: {
                to: {
                  element: {
                    type: "feature",
                    captured: { feature: "!{{ from.element.captured.feature }}" },
                  },
                },
              },
              message:
                "A feature does not import another feature: share through components/ or lib/, or compose both in a page (routes/).",
            },
            {
              from: { element: { types: { anyOf: ["components", "lib", "api", "theme"] } } },
              disallow: { to: { element: { types: { anyOf: ["feature", "routes"] } } } },
              message: "components/, lib/, api/ and theme/ never import a feature or a page.",
            },
          ],
        },
      ],
    },
  },
);
