import path from "path"
import { EMBEDDED_DIR_NAME, EmbeddedServer, startEmbeddedPostgres } from "../../src/tools/embedded-postgres"
import { createRunDir, killRecordedApps } from "./run-registry"

/**
 * `DATABASE_URL` names the server the tests use (CI: the local one). Without it, the tests
 * start the embedded PostgreSQL in `.embedded-postgres/` at the project root, and every suite
 * makes its own databases there. Stopped by the global teardown (and on Ctrl-C).
 *
 * It also makes the folder where the Medusa apps shared by the end-to-end suites are recorded
 * (integration-tests/medusa/shared-apps.ts); the teardown stops them, and so does an
 * interrupted run on its way out.
 */
export default async function globalSetup(): Promise<void> {
  const appsDir = createRunDir()
  process.once("exit", () => killRecordedApps(appsDir))
  if (process.env.DATABASE_URL) {
    // Ctrl-C ends node without an `exit` event unless someone listens (the embedded server's
    // hook does, below, and then exits).
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => {
        killRecordedApps(appsDir)
        process.exit(130)
      })
    }
    return
  }
  const server = await startEmbeddedPostgres({
    dir: path.resolve(__dirname, "../..", EMBEDDED_DIR_NAME),
    onStatus: (line) => process.stderr.write(`\n[tests] ${line}\n`),
  })
  process.env.DATABASE_URL = server.url()
  process.env.MEDUSA_INVENTORY_TEST_SERVER = "embedded"
  ;(globalThis as { embeddedPostgres?: EmbeddedServer }).embeddedPostgres = server
}
