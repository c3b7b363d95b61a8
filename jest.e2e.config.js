/** End-to-end tests against a real Medusa 1.20 backend (examples/medusa-backend). */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // DATABASE_URL, or the embedded PostgreSQL when it is unset.
  globalSetup: "<rootDir>/integration-tests/utils/global-setup.ts",
  globalTeardown: "<rootDir>/integration-tests/utils/global-teardown.ts",
  roots: ["<rootDir>/integration-tests/medusa"],
  testMatch: ["**/*.e2e.spec.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  testTimeout: 180000,
}
