#!/usr/bin/env node
import { Presets, SingleBar } from "cli-progress"
import fs from "fs"
import path from "path"
import { Client } from "pg"
import { EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from "../src/tools/embedded-postgres"
import { portIsFree } from "../src/tools/net"
import { Api, APP, appEnv, installExampleApp, medusaCommand, MedusaServer, ROOT, startMedusa } from "./example-app"
import { ADMIN_EMAIL, ADMIN_PASSWORD, SeedProgress, seedStore } from "./seed-store"

/**
 * `npm start`: the example Medusa 1.20 store on this module. It starts (or reuses) the embedded
 * PostgreSQL unless DATABASE_URL is set, installs the example app the first time, runs
 * `medusa migrations run`, makes the admin user, starts the server on PORT (9000), seeds the
 * demo catalogue where it is missing, and prints where to look. Ctrl-C stops it all.
 */

const STORE_DATABASE = "medusa_store"
const LOG_FILE = path.join(APP, "medusa-server.log")

let embedded: EmbeddedServer | undefined
let medusa: MedusaServer | undefined
let stoppedByUser = false

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`
}

async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now()
  process.stdout.write(`• ${label}\n`)
  const result = await fn()
  process.stdout.write(`  done in ${elapsed(started)}\n`)
  return result
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:***@")
}

function seedProgress(): SeedProgress {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({ format: "  seeding [{bar}] {value}/{total}  {label}", hideCursor: true, clearOnComplete: false }, Presets.shades_classic)
    return {
      start: (total) => bar.start(total, 0, { label: "" }),
      step: (label) => bar.increment(1, { label: label.length > 60 ? `${label.slice(0, 57)}…` : label }),
      stop: () => bar.stop(),
    }
  }
  let done = 0
  let total = 0
  return {
    start: (n) => (total = n),
    step: (label) => console.log(`  [${++done}/${total}] ${label}`),
    stop: () => undefined,
  }
}

async function adminExists(databaseUrl: string): Promise<boolean> {
  const db = new Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    const { rowCount } = await db.query(`SELECT 1 FROM "user" WHERE email = $1 AND deleted_at IS NULL`, [ADMIN_EMAIL])
    return (rowCount ?? 0) > 0
  } finally {
    await db.end()
  }
}

async function shutdown(code: number): Promise<never> {
  await medusa?.stop()
  await embedded?.stop()
  process.exit(code)
}

async function main(): Promise<void> {
  const started = Date.now()
  const port = Number(process.env.PORT || 9000)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`)
  // Medusa listens on every interface.
  if (!(await portIsFree(port, "0.0.0.0"))) throw new Error(`port ${port} is in use: stop what holds it, or run PORT=9001 npm start`)

  const databaseUrl = await step("PostgreSQL", async () => {
    if (process.env.DATABASE_URL) {
      console.log(`  using DATABASE_URL (${redact(process.env.DATABASE_URL)})`)
      if (await ensureDatabase(process.env.DATABASE_URL)) console.log("  created its database")
      return process.env.DATABASE_URL
    }
    embedded = await startEmbeddedPostgres({ dir: path.join(ROOT, ".embedded-postgres"), onStatus: (line) => console.log(`  ${line}`) })
    await embedded.ensureDatabase(STORE_DATABASE)
    return embedded.url(STORE_DATABASE)
  })
  const env = appEnv(databaseUrl, port)

  await step("the example store (examples/medusa-backend)", async () => {
    const report = await installExampleApp((line) => console.log(`  ${line}`))
    if (!report.installedDependencies && !report.installedPackage) console.log("  up to date")
  })
  await step("medusa migrations run", () => medusaCommand(["migrations", "run"], env))
  await step(`admin user ${ADMIN_EMAIL}`, async () => {
    if (await adminExists(databaseUrl)) return console.log("  exists")
    await medusaCommand(["user", "-e", ADMIN_EMAIL, "-p", ADMIN_PASSWORD], env)
    console.log("  created")
  })

  fs.writeFileSync(LOG_FILE, "")
  medusa = await step(`medusa start on port ${port}`, () =>
    startMedusa(env, { onOutput: (chunk) => fs.appendFileSync(LOG_FILE, chunk) })
  )
  medusa.child.once("exit", (code, signal) => {
    if (stoppedByUser) return
    console.error(`\nThe Medusa server stopped (${signal ?? `exit code ${code}`}). Last lines of ${path.relative(process.cwd(), LOG_FILE)}:`)
    console.error(medusa!.output().trim().split("\n").slice(-15).join("\n"))
    void shutdown(1)
  })

  const api = new Api(`http://localhost:${port}`)
  await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
  const seeded = await step("demo catalogue", () => seedStore(api, databaseUrl, seedProgress()))

  const base = `http://localhost:${port}`
  const auth = `-H 'x-medusa-access-token: ${seeded.apiToken}'`
  const database = embedded
    ? `${embedded.url(STORE_DATABASE)}  (embedded; data in .embedded-postgres/)`
    : redact(databaseUrl)
  console.log(`
Medusa 1.20 is running with medusa-inventory-typeorm as its inventory module (ready in ${elapsed(started)}).

  Store API      ${base}/store
  Admin API      ${base}/admin   (no dashboard bundled; point a Medusa admin at ${base})
  Admin login    ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}
  API token      ${seeded.apiToken}
  Database       ${database}
  Server log     ${path.relative(process.cwd(), LOG_FILE)}

Try it:
  # inventory items, one per product variant, with their stocked and reserved quantities
  curl -s ${base}/admin/inventory-items ${auth}
  # the levels of DEMO-SHIRT-M at the two warehouses (2 reserved by the demo order)
  curl -s ${base}/admin/inventory-items/${seeded.itemId}/location-levels ${auth}
  # the reservation the demo order made through the module
  curl -s ${base}/admin/orders/${seeded.orderId}/reservations ${auth}

Check reserved quantities against reservations:  npm run inventory -- doctor --database ${STORE_DATABASE}
Press Ctrl-C to stop the server${embedded?.owned ? " and the database" : ""}.
`)
}

process.on("SIGINT", () => {
  stoppedByUser = true
  process.stdout.write("\nStopping…\n")
  void shutdown(0)
})
process.on("SIGTERM", () => {
  stoppedByUser = true
  void shutdown(0)
})
// Last resort when the process exits before the server has stopped (it is in its own group).
process.on("exit", () => {
  medusa?.kill()
  if (stoppedByUser) process.exitCode = 0
})

main().catch(async (error: unknown) => {
  const message = error instanceof Error ? error.message : String(error)
  console.error(`\nnpm start failed: ${message.split("\n")[0]}`)
  const detail = message.split("\n").slice(1).join("\n").trim()
  if (detail) console.error(detail.split("\n").slice(-15).join("\n"))
  await shutdown(1)
})
