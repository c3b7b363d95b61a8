import type { EmbeddedServer } from "../../src/embedded-postgres"

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { embeddedPostgres?: EmbeddedServer }).embeddedPostgres?.stop()
}
