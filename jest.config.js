/**
 * `npm test`: every suite against real PostgreSQL (DATABASE_URL, or the embedded server when it
 * is unset), the Medusa end-to-end ones included, and once more the suites that cover all 28
 * methods, the bulk paths, concurrency and the property test with the module behind a
 * transaction-mode PgBouncer (the "pgbouncer" project).
 */
const base = {
  testEnvironment: "node",
  roots: ["<rootDir>/integration-tests"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  setupFiles: ["reflect-metadata"],
}

/** @type {import('jest').Config} */
module.exports = {
  testTimeout: 60000,
  globalSetup: "<rootDir>/integration-tests/utils/global-setup.ts",
  globalTeardown: "<rootDir>/integration-tests/utils/global-teardown.ts",
  projects: [
    { ...base, displayName: "direct", testMatch: ["**/*.spec.ts"] },
    {
      ...base,
      displayName: "pgbouncer",
      testMatch: [
        "**/service/inventory-items.spec.ts",
        "**/service/inventory-levels.spec.ts",
        "**/service/reservations.spec.ts",
        "**/correctness/concurrency.spec.ts",
        "**/correctness/model.property.spec.ts",
        "**/correctness/races.spec.ts",
      ],
      globals: { INVENTORY_TEST_POOLER: "pgbouncer" },
    },
  ],
}
