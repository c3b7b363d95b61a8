import path from "path"
import { EmbeddedServer, startEmbeddedPostgres } from "../../src/embedded-postgres"

/**
 * `DATABASE_URL` names the server the tests use (CI: the local one). Without it, the tests
 * start the embedded PostgreSQL in `.embedded-postgres/` at the project root, and every suite
 * makes its own databases there. Stopped by the global teardown (and on Ctrl-C).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) return
  const server = await startEmbeddedPostgres({
    dir: path.resolve(__dirname, "../..", ".embedded-postgres"),
    onStatus: (line) => process.stderr.write(`\n[tests] ${line}\n`),
  })
  process.env.DATABASE_URL = server.url()
  process.env.MEDUSA_INVENTORY_TEST_SERVER = "embedded"
  ;(globalThis as { embeddedPostgres?: EmbeddedServer }).embeddedPostgres = server
}
