#!/usr/bin/env node
import { Presets, SingleBar } from "cli-progress"
import fs from "fs"
import path from "path"
import { Client } from "pg"
import { EmbeddedServer, ensureDatabase, startEmbeddedPostgres } from "../src/tools/embedded-postgres"
import { portIsFree } from "../src/tools/net"
import { ADMIN_PATH, AdminBuild, AdminBuildCancelled, adminBuildState, adminOutDir, buildAdmin, installLoaderPage } from "./admin-build"
import { Api, APP, appEnv, installExampleApp, medusaCommand, MedusaServer, ROOT, startMedusa } from "./example-app"
import { ADMIN_EMAIL, ADMIN_PASSWORD, SeedProgress, seedStore } from "./seed-store"

/**
 * `npm start`: the example Medusa 1.20 store on this module. It starts (or reuses) the embedded
 * PostgreSQL unless DATABASE_URL is set, installs the example app the first time, readies the
 * Medusa Admin dashboard, runs `medusa migrations run`, makes the admin user, starts the server
 * on PORT (9000), seeds the demo catalogue where it is missing, and prints where to look; a
 * dashboard that needs building is built then, beside the running API. Ctrl-C at any point
 * stops it all and exits 0.
 */

const STORE_DATABASE = "medusa_store"
const LOG_FILE = path.join(APP, "medusa-server.log")

/** What this process started, for the shutdown to stop. */
const running: {
  /** Set as the embedded server starts, so that a Ctrl-C during its start stops it too. */
  embedded?: Promise<EmbeddedServer>
  /** Set as soon as `medusa start` is spawned, before it answers. */
  medusa?: MedusaServer
  adminBuild?: AdminBuild
  /** A progress bar on screen, to take down before anything else is printed. */
  bar?: SingleBar
} = {}
/** Ctrl-C (or SIGTERM): what fails from now on fails because everything is being stopped. */
let stoppedByUser = false
/** Aborted when stopping: kills the `medusa` and `npm` commands under way. */
const stopRequested = new AbortController()
let stopping: Promise<never> | undefined

/** Thrown by a step that would start while everything is being stopped. */
class Stopped extends Error {}

/** A line of progress; none once everything is being stopped (in-flight steps carry on a little). */
function say(line: string): void {
  if (!stoppedByUser) console.log(line)
}

function elapsed(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)} s`
}

async function step<T>(label: string, fn: () => Promise<T>): Promise<T> {
  if (stoppedByUser) throw new Stopped()
  const started = Date.now()
  say(`• ${label}`)
  const result = await fn()
  say(`  done in ${elapsed(started)}`)
  return result
}

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:***@")
}

function shorten(label: string): string {
  return label.length > 60 ? `${label.slice(0, 57)}…` : label
}

function showBar(bar: SingleBar): SingleBar {
  running.bar = bar
  return bar
}

function takeDownBar(): void {
  running.bar?.stop()
  running.bar = undefined
}

function seedProgress(): SeedProgress {
  if (process.stdout.isTTY) {
    const bar = new SingleBar({ format: "  seeding [{bar}] {value}/{total}  {label}", hideCursor: true, clearOnComplete: false }, Presets.shades_classic)
    return {
      start: (total) => showBar(bar).start(total, 0, { label: "" }),
      step: (label) => {
        if (!stoppedByUser) bar.increment(1, { label: shorten(label) })
      },
      stop: takeDownBar,
    }
  }
  let done = 0
  let total = 0
  return {
    start: (n) => (total = n),
    step: (label) => say(`  [${++done}/${total}] ${label}`),
    stop: () => undefined,
  }
}

/** The dashboard build's progress: a bar on a terminal, otherwise a line per 10 %. */
function buildProgress(): { update: (percent: number, stage: string) => void; stop: () => void } {
  if (process.stdout.isTTY) {
    const bar = showBar(new SingleBar({ format: "  dashboard [{bar}] {percentage}%  {stage}", hideCursor: true, clearOnComplete: false }, Presets.shades_classic))
    bar.start(100, 0, { stage: "starting" })
    const update = (percent: number, stage: string) => {
      if (!stoppedByUser) bar.update(percent, { stage: shorten(stage) })
    }
    return { update, stop: takeDownBar }
  }
  let shown = 0
  return {
    update: (percent) => {
      const tens = Math.floor(percent / 10) * 10
      if (tens <= shown) return
      shown = tens
      say(`  dashboard build ${tens}%`)
    },
    stop: () => undefined,
  }
}

function gib(bytes: number): string {
  return bytes > 0 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : "unknown"
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

/**
 * Stops everything this process started (the dashboard build and the server together, then the
 * database) and exits with `code`. Every way out goes through here; a second call gets the
 * first one's promise. (On a signal, embedded-postgres's own exit hook may end the process as
 * soon as its server is down, before this is done: the `exit` handler below kills the rest.)
 */
function shutdown(code: number): Promise<never> {
  stopping ??= (async () => {
    stopRequested.abort()
    takeDownBar()
    await Promise.all([running.adminBuild?.cancel(), running.medusa?.stop()].map((stop) => stop?.catch(() => undefined)))
    const embedded = await running.embedded?.catch(() => undefined)
    await embedded?.stop().catch(() => undefined)
    process.exit(code)
  })()
  return stopping
}

function stopByUser(announce: boolean): void {
  if (stoppedByUser) return
  stoppedByUser = true
  takeDownBar()
  if (announce) process.stdout.write("\nStopping…\n")
  void shutdown(0)
}

function parsePort(): number {
  const port = Number(process.env.PORT || 9000)
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`PORT must be a port number, got "${process.env.PORT}"`)
  return port
}

async function startDatabase(): Promise<{ databaseUrl: string; embedded?: EmbeddedServer }> {
  if (process.env.DATABASE_URL) {
    say(`  using DATABASE_URL (${redact(process.env.DATABASE_URL)})`)
    if (await ensureDatabase(process.env.DATABASE_URL)) say("  created its database")
    return { databaseUrl: process.env.DATABASE_URL }
  }
  running.embedded = startEmbeddedPostgres({ dir: path.join(ROOT, ".embedded-postgres"), onStatus: (line) => say(`  ${line}`) })
  const embedded = await running.embedded
  await embedded.ensureDatabase(STORE_DATABASE)
  return { databaseUrl: embedded.url(STORE_DATABASE), embedded }
}

/**
 * The dashboard's build folder ready for the server to start with: an up-to-date build, or the
 * waiting page (built after the API is up, so that the API comes up as soon as before).
 * Whether a build is needed.
 */
async function prepareAdmin(outDir: string): Promise<boolean> {
  const state = adminBuildState(outDir)
  if (state === "up-to-date") {
    say(`  reusing its build (${path.relative(process.cwd(), outDir)})`)
    return false
  }
  installLoaderPage(outDir)
  say(state === "missing" ? "  first start: it is built once the API is up (about a minute)" : "  its inputs changed; rebuilt once the API is up")
  return true
}

/** The server on `port`; its exit, unless asked for, ends `npm start` with its last log lines. */
async function startServer(env: NodeJS.ProcessEnv, port: number): Promise<MedusaServer> {
  fs.writeFileSync(LOG_FILE, "")
  const medusa = await step(`medusa start on port ${port}`, () =>
    startMedusa(env, { onOutput: (chunk) => fs.appendFileSync(LOG_FILE, chunk), onSpawn: (server) => (running.medusa = server) })
  )
  medusa.child.once("exit", (code, signal) => {
    if (stoppedByUser || stopping) return
    takeDownBar()
    console.error(`\nThe Medusa server stopped (${signal ?? `exit code ${code}`}). Last lines of ${path.relative(process.cwd(), LOG_FILE)}:`)
    console.error(medusa.output().trim().split("\n").slice(-15).join("\n"))
    void shutdown(1)
  })
  return medusa
}

/**
 * Builds the dashboard beside the running server, which serves the waiting page meanwhile; the
 * page opens the dashboard once it is there, without a restart. A failed build leaves the API
 * running and says why.
 */
async function buildDashboard(base: string, outDir: string): Promise<void> {
  say(`Building Medusa Admin for ${base}${ADMIN_PATH} (about a minute; the API is already up):`)
  const progress = buildProgress()
  running.adminBuild = buildAdmin({ outDir, onProgress: progress.update, onStatus: (line) => say(`  ${line}`) })
  try {
    const { seconds, peakMemoryBytes } = await running.adminBuild
    progress.stop()
    say(`  built in ${Math.round(seconds)} s (peak memory ${gib(peakMemoryBytes)}); later starts reuse it`)
    say(`Medusa Admin is ready: ${base}${ADMIN_PATH}  (log in as ${ADMIN_EMAIL} / ${ADMIN_PASSWORD})`)
  } catch (error) {
    progress.stop()
    if (stoppedByUser || error instanceof AdminBuildCancelled) return
    const [reason, ...detail] = (error instanceof Error ? error.message : String(error)).split("\n")
    installLoaderPage(outDir, "failed")
    console.error(`  the dashboard build failed: ${reason}`)
    if (detail.length) console.error(detail.slice(-15).map((line) => `    ${line}`).join("\n"))
    console.error(`  The API keeps running; \`npm start\` tries the build again next time.`)
  } finally {
    running.adminBuild = undefined
  }
}

function banner(options: { started: number; base: string; database: string; apiToken: string; itemId: string; orderId: string; building: boolean; ownsDatabase: boolean }): string {
  const { base, apiToken } = options
  const auth = `-H 'x-medusa-access-token: ${apiToken}'`
  const building = options.building ? "   (being built, see below; the page opens it when ready)" : ""
  return `
Medusa 1.20 is running with medusa-inventory-typeorm as its inventory module (ready in ${elapsed(options.started)}).

  Store API      ${base}/store
  Admin API      ${base}/admin
  Dashboard      ${base}${ADMIN_PATH}${building}
  Admin login    ${ADMIN_EMAIL} / ${ADMIN_PASSWORD}
  API token      ${apiToken}
  Database       ${options.database}
  Server log     ${path.relative(process.cwd(), LOG_FILE)}

Try it:
  # inventory items, one per product variant, with their stocked and reserved quantities
  curl -s ${base}/admin/inventory-items ${auth}
  # the levels of DEMO-SHIRT-M at the two warehouses (2 reserved by the demo order)
  curl -s ${base}/admin/inventory-items/${options.itemId}/location-levels ${auth}
  # the demo order's reservations, made through the module: DEMO-SHIRT-M at Main Warehouse, and
  # DEMO-HOODIE at Backup Warehouse, where its stock is (allocation "most-available": Main, listed first, has none)
  curl -s ${base}/admin/orders/${options.orderId}/reservations ${auth}
  # why DEMO-SHIRT-M's quantities are what they are: its stock movements, newest first
  curl -s ${base}/admin/inventory-items/${options.itemId}/movements ${auth}
  # the transfer in transit, and the two damaged mugs (Stock page: ${base}${ADMIN_PATH}/a/stock)
  curl -s '${base}/admin/stock/transfers?status=in_transit' ${auth}
  curl -s '${base}/admin/stock/levels?q=DEMO-MUG' ${auth}

Check reserved quantities against reservations:  npm run inventory -- doctor --database ${STORE_DATABASE}
Press Ctrl-C to stop the server${options.ownsDatabase ? " and the database" : ""}.
`
}

async function main(): Promise<void> {
  const started = Date.now()
  const port = parsePort()
  // Medusa listens on every interface.
  if (!(await portIsFree(port, "0.0.0.0"))) throw new Error(`port ${port} is in use: stop what holds it, or run PORT=9001 npm start`)
  const { signal } = stopRequested

  const { databaseUrl, embedded } = await step("PostgreSQL", startDatabase)
  const env = appEnv(databaseUrl, port)

  await step("the example store (examples/medusa-backend)", async () => {
    const report = await installExampleApp((line) => say(`  ${line}`), { signal })
    if (!report.installedDependencies && !report.installedPackage) say("  up to date")
  })
  const outDir = adminOutDir()
  const buildLater = await step(`Medusa Admin (served at ${ADMIN_PATH})`, () => prepareAdmin(outDir))
  await step("medusa migrations run", () => medusaCommand(["migrations", "run"], env, signal))
  await step(`admin user ${ADMIN_EMAIL}`, async () => {
    if (await adminExists(databaseUrl)) return say("  exists")
    await medusaCommand(["user", "-e", ADMIN_EMAIL, "-p", ADMIN_PASSWORD], env, signal)
    say("  created")
  })
  await startServer(env, port)

  const base = `http://localhost:${port}`
  const api = new Api(base)
  await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
  const seeded = await step("demo catalogue", () => seedStore(api, databaseUrl, seedProgress(), { warehouse: true }))
  if (stoppedByUser) return

  const database = embedded ? `${embedded.url(STORE_DATABASE)}  (embedded; data in .embedded-postgres/)` : redact(databaseUrl)
  say(banner({ started, base, database, ...seeded, building: buildLater, ownsDatabase: embedded?.owned ?? false }))
  if (buildLater) await buildDashboard(base, outDir)
}

process.on("SIGINT", () => stopByUser(true))
process.on("SIGTERM", () => stopByUser(false))
process.on("SIGHUP", () => stopByUser(false))
// Last resort when the process exits before the server and the build have stopped (they run in
// process groups of their own): embedded-postgres's exit hook ends the process (code 130) as
// soon as it has stopped its server, which can come first.
process.on("exit", () => {
  running.adminBuild?.kill()
  running.medusa?.kill()
  if (stoppedByUser) process.exitCode = 0
})

main().catch(async (error: unknown) => {
  // Ctrl-C reaches the whole terminal's process group: the commands under way (PostgreSQL,
  // `medusa migrations run`, a synchronous `id`) can die of it, and fail a step, before this
  // process runs its own SIGINT handler. Give the handler its turn first: a step that failed
  // because everything is being stopped is no news.
  await new Promise((resolve) => setTimeout(resolve, 200))
  if (stoppedByUser) return shutdown(0)
  takeDownBar()
  const message = error instanceof Error ? error.message : String(error)
  console.error(`\nnpm start failed: ${message.split("\n")[0]}`)
  const detail = message.split("\n").slice(1).join("\n").trim()
  if (detail) console.error(detail.split("\n").slice(-15).join("\n"))
  await shutdown(1)
})
