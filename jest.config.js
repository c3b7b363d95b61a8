/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  // DATABASE_URL, or the embedded PostgreSQL when it is unset.
  globalSetup: "<rootDir>/integration-tests/utils/global-setup.ts",
  globalTeardown: "<rootDir>/integration-tests/utils/global-teardown.ts",
  roots: ["<rootDir>/integration-tests"],
  testMatch: ["**/*.spec.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json" }],
  },
  setupFiles: ["reflect-metadata"],
  testTimeout: 60000,
}
