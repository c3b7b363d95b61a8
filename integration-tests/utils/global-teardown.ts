import type { EmbeddedServer } from "../../src/tools/embedded-postgres"
import { stopRecordedApps } from "./run-registry"

export default async function globalTeardown(): Promise<void> {
  const appsDir = process.env.MEDUSA_E2E_RUN_DIR
  if (appsDir) await stopRecordedApps(appsDir, process.env.DATABASE_URL)
  await (globalThis as { embeddedPostgres?: EmbeddedServer }).embeddedPostgres?.stop()
}
