import { ChildProcess, spawn } from "child_process"
import fs from "fs"
import path from "path"
import { portIsFree } from "../../src/tools/net"
import { freePort, ROOT } from "../../scripts/example-app"
import { groupProcesses, listProcesses, ProcessInfo, readProcess } from "../../scripts/process-group"
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../utils/database"
import { APP, installExampleApp } from "./medusa-app"

/**
 * `npm start` (dist/scripts/start-store.js) as a user runs it: the banner, its three curl
 * commands, Medusa Admin built beside the running API and then served at /app, a clean stop on
 * SIGINT, and a second start that finds the demo catalogue and the dashboard's build instead of
 * making them again. Then Ctrl-C at each step of a start on the embedded PostgreSQL: exit code
 * 0, nothing alarming printed, and nothing left running.
 *
 * The dashboard is built into `.admin-test-<pid>*` folders of the example app (removed after),
 * so the build that `npm start` serves is left alone.
 */
const START = path.join(ROOT, "dist/scripts/start-store.js")
const ADMIN_TEST_PREFIX = `.admin-test-${process.pid}`
const POSTMASTER_PID = path.join(ROOT, ".embedded-postgres/data/postmaster.pid")

interface Started {
  child: ChildProcess
  output: () => string
  /** Resolves once the output contains `text`; rejects if the process exits first or after `timeoutMs`. */
  waitFor: (text: string, timeoutMs: number) => Promise<void>
  /** The exit code (null after a signal). */
  exited: Promise<number | null>
}

/** The stores launched and still running, for the `exit` hook below. */
const launched = new Set<ChildProcess>()
// In a process group of its own, a store misses the signal that ends an interrupted test run
// (jest's own group gets it): send it SIGTERM on the way out, which it answers by stopping its
// server, its dashboard build and its database.
process.on("exit", () => {
  for (const child of launched) {
    try {
      process.kill(-child.pid!, "SIGTERM")
    } catch {
      // gone
    }
  }
})

/** dist/scripts/start-store.js in a process group of its own, as a terminal runs `npm start`. */
function launch(env: NodeJS.ProcessEnv): Started {
  const child = spawn("node", [START], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  launched.add(child)
  child.once("exit", () => launched.delete(child))
  let output = ""
  const waiters = new Set<() => void>()
  const collect = (chunk: Buffer) => {
    output += chunk.toString()
    for (const check of waiters) check()
  }
  child.stdout!.on("data", collect)
  child.stderr!.on("data", collect)
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)))
  const waitFor = (text: string, timeoutMs: number) =>
    new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        waiters.delete(check)
        clearTimeout(timer)
        if (error) reject(error)
        else resolve()
      }
      const check = () => {
        if (output.includes(text)) done()
      }
      const timer = setTimeout(() => done(new Error(`no "${text}" after ${timeoutMs / 1000} s:\n${output}`)), timeoutMs)
      void exited.then((code) => done(new Error(`npm start exited with ${code} before "${text}":\n${output}`)))
      waiters.add(check)
      check()
    })
  return { child, output: () => output, waitFor, exited }
}

function storeEnv(port: number, extra: Record<string, string>, databaseUrl?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), NODE_ENV: "development", ...extra }
  if (databaseUrl) env.DATABASE_URL = databaseUrl
  else delete env.DATABASE_URL
  return env
}

async function startStore(databaseUrl: string, port: number, adminOutDir: string): Promise<Started> {
  const started = launch(storeEnv(port, { MEDUSA_ADMIN_OUT_DIR: adminOutDir }, databaseUrl))
  await started.waitFor("Press Ctrl-C", 240_000)
  return started
}

async function stop(started: Started): Promise<number | null> {
  started.child.kill("SIGINT")
  return started.exited
}

/** The curl commands of the banner, as fetch calls: their JSON. */
async function curls(output: string): Promise<any[]> {
  const commands = [...output.matchAll(/curl -s '?([^\s']+)'? -H 'x-medusa-access-token: (\S+)'/g)]
  return Promise.all(
    commands.map(async ([, url, token]) => {
      const response = await fetch(url, { headers: { "x-medusa-access-token": token } })
      expect(response.status).toBe(200)
      return response.json()
    })
  )
}

/** The API token the banner prints. */
function tokenOf(output: string): string {
  const token = /API token {6}(\S+)/.exec(output)?.[1]
  if (!token) throw new Error("the banner prints no API token")
  return token
}

async function page(url: string): Promise<{ status: number; html: string }> {
  const response = await fetch(url)
  return { status: response.status, html: await response.text() }
}

const LOADER = 'name="medusa-admin-loader"'
const DASHBOARD_ROOT = '<div id="root">'

/** The scripts and styles an index.html asks for (the build's own files, under /app/). */
function assetsOf(html: string): string[] {
  return [...html.matchAll(/(?:src|href)="(\/app\/[^"]+\.(?:js|css))"/g)].map(([, asset]) => asset)
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** This run's dashboard builds, and those an interrupted earlier run (a pid now gone) left behind. */
function removeAdminTestDirs(): void {
  for (const entry of fs.readdirSync(APP)) {
    const owner = /^\.admin-test-(\d+)-/.exec(entry)
    if (owner && (Number(owner[1]) === process.pid || !alive(Number(owner[1])))) fs.rmSync(path.join(APP, entry), { recursive: true, force: true })
  }
}

describe("npm start: the example store with a demo catalogue and Medusa Admin", () => {
  const name = uniqueDatabaseName("mit_start")
  const adminOutDir = `${ADMIN_TEST_PREFIX}-start`
  let databaseUrl: string
  let started: Started | undefined
  beforeAll(async () => {
    removeAdminTestDirs()
    await installExampleApp()
    databaseUrl = await createDatabase(name)
  }, 600_000)
  afterAll(async () => {
    if (started && started.child.exitCode === null) await stop(started)
    await dropDatabase(name)
    removeAdminTestDirs()
  })

  it("seeds and builds the dashboard on the first start, prints working curl commands, stops on SIGINT, and reuses both", async () => {
    const port = await freePort()
    const base = `http://localhost:${port}`
    started = await startStore(databaseUrl, port, adminOutDir)
    const first = started.output()
    expect(first).toMatch(/\[30\/33\] created a demo order of 2 × DEMO-SHIRT-M and 1 × DEMO-HOODIE \(reserved\)/)
    expect(first).toMatch(/\[29\/33\] created the admin's analytics answer \(opted out\)/)
    expect(first).toMatch(/\[32\/33\] created 2 damaged DEMO-MUG set aside/)
    expect(first).toMatch(/\[33\/33\] created a transfer of 4 × DEMO-SHIRT-S in transit \(DEMO-TRANSFER-1\)/)
    expect(first).toMatch(/first start: it is built once the API is up/)
    expect(first).toMatch(/Admin login {4}admin@medusa-test\.com \/ supersecret/)
    expect(first).toContain(`Store API      ${base}/store`)
    expect(first).toContain(`Dashboard      ${base}/app   (being built, see below; the page opens it when ready)`)

    // The API is up before the dashboard: its curls answer, and /app is the waiting page.
    const [items, levels, reservations, , transfers, mugs] = await curls(first)
    // The Stock page's demo: one transfer in transit, two damaged mugs at the main warehouse.
    expect(transfers.transfers).toEqual([expect.objectContaining({ status: "in_transit", quantity: 4, reference: "DEMO-TRANSFER-1" })])
    expect(mugs.levels.map((l: any) => [l.sku, l.stocked_quantity, l.unavailable.damaged]).sort()).toEqual([
      ["DEMO-MUG", 25, 0],
      ["DEMO-MUG", 48, 2],
    ])
    expect(items.count).toBe(8)
    expect(items.inventory_items.map((i: { sku: string }) => i.sku).sort()).toEqual(
      ["DEMO-CAP", "DEMO-HOODIE", "DEMO-MUG", "DEMO-SHIRT-L", "DEMO-SHIRT-M", "DEMO-SHIRT-S", "DEMO-SWEAT-L", "DEMO-SWEAT-M"]
    )
    const shirtLevels = levels.inventory_item.location_levels.map((l: any) => [l.stocked_quantity, l.reserved_quantity]).sort()
    expect(shirtLevels).toEqual([[10, 0], [30, 2]])
    // The shirt is reserved at the main warehouse (most available there); the hoodie, none of
    // which is at the main warehouse (listed first), at the backup one: allocation "most-available".
    const { stock_locations } = await (await fetch(`${base}/admin/stock-locations`, { headers: { "x-medusa-access-token": tokenOf(first) } })).json() as any
    const locationName = new Map(stock_locations.map((l: any) => [l.id, l.name]))
    const skuOf = new Map(items.inventory_items.map((i: any) => [i.id, i.sku]))
    expect(
      reservations.reservations.map((r: any) => ({ sku: skuOf.get(r.inventory_item_id), at: locationName.get(r.location_id), quantity: r.quantity })).sort((a: any, b: any) => a.sku.localeCompare(b.sku))
    ).toEqual([
      { sku: "DEMO-HOODIE", at: "Backup Warehouse", quantity: 1 },
      { sku: "DEMO-SHIRT-M", at: "Main Warehouse", quantity: 2 },
    ])
    const waiting = await page(`${base}/app`)
    expect(waiting.status).toBe(200)
    expect(waiting.html).toContain("<h1>Medusa Admin is being built</h1>")

    // The credentials it prints log in, and the dashboard will not ask about analytics.
    const login = await fetch(`${base}/admin/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "admin@medusa-test.com", password: "supersecret" }),
    })
    expect(login.status).toBe(200)
    const { access_token } = (await login.json()) as { access_token: string }
    const analytics = await fetch(`${base}/admin/analytics-configs`, { headers: { authorization: `Bearer ${access_token}` } })
    expect(analytics.status).toBe(200)
    expect(((await analytics.json()) as any).analytics_config).toMatchObject({ opt_out: true, anonymize: false })

    // The build, beside the running server.
    await started.waitFor("Medusa Admin is ready", 480_000)
    const built = started.output()
    expect(built).toMatch(/dashboard build 100%/)
    expect(built).toMatch(/built in \d+ s \(peak memory \d+\.\d GiB\); later starts reuse it/)
    expect(built).toContain(`Medusa Admin is ready: ${base}/app  (log in as admin@medusa-test.com / supersecret)`)
    expect(built).not.toMatch(/failed|error/i)
    // The build's own index.html and files come from disk, and answer at once.
    const index = await page(`${base}/app/index.html`)
    expect(index.html).toContain(DASHBOARD_ROOT)
    expect(index.html).not.toContain(LOADER)
    const assets = assetsOf(index.html)
    expect(assets.length).toBeGreaterThan(1)
    for (const asset of assets) expect((await fetch(`${base}${asset}`)).status).toBe(200)
    // The plugin read index.html at boot, so until a restart /app and its deep links answer the
    // waiting page, which opens the dashboard from /app/index.html (the URL stays, and the
    // dashboard routes by it).
    for (const route of ["/app", "/app/a/inventory"]) {
      const served = await page(`${base}${route}`)
      expect(served.status).toBe(200)
      expect(served.html).toContain(LOADER)
      expect(served.html).toContain('fetch("/app/index.html", { cache: "no-store" })')
    }
    // Built into a side folder, then swapped into place.
    expect(fs.readdirSync(APP).filter((entry) => entry.startsWith(`${ADMIN_TEST_PREFIX}-`))).toEqual([adminOutDir])

    expect(await stop(started)).toBe(0)
    expect(started.output()).toMatch(/Stopping…/)
    await expect(fetch(`${base}/health`)).rejects.toThrow()

    // Second start: nothing is made again, the order's two reservations are still the only ones, and the
    // dashboard's build is served as it is, at /app and at its deep links.
    started = await startStore(databaseUrl, port, adminOutDir)
    const second = started.output()
    expect(second).not.toMatch(/created/)
    expect(second).toMatch(/\[30\/33\] found the demo order/)
    expect(second).toMatch(/\[32\/33\] found 2 damaged DEMO-MUG/)
    expect(second).toMatch(/\[33\/33\] found the transfer DEMO-TRANSFER-1/)
    expect(second).toMatch(/admin user admin@medusa-test\.com\n {2}exists/)
    expect(second).toMatch(/• Medusa Admin \(served at \/app\)\n {2}reusing its build/)
    expect(second).toContain(`Dashboard      ${base}/app\n`)
    expect(second).not.toMatch(/Building Medusa Admin/)
    const [itemsAgain, , reservationsAgain, , transfersAgain] = await curls(second)
    expect(transfersAgain.transfers).toHaveLength(1)
    expect(itemsAgain.count).toBe(8)
    expect(reservationsAgain.reservations).toEqual(reservations.reservations)
    for (const route of ["/app", "/app/a/inventory"]) {
      const served = await page(`${base}${route}`)
      expect(served.status).toBe(200)
      expect(served.html).toContain(DASHBOARD_ROOT)
      expect(served.html).not.toContain(LOADER)
    }
    expect(await stop(started)).toBe(0)
  }, 900_000)
})

/** Every process descended from `root` now (whatever its group), to check later that none is left. */
function descendants(root: number, seen: Map<string, ProcessInfo>): void {
  const all = listProcesses()
  const family = new Set([root])
  // Parents come before children in no particular order: repeat until nothing is added.
  for (let added = true; added; ) {
    added = false
    for (const p of all) {
      if (!family.has(p.pid) && family.has(p.ppid)) {
        family.add(p.pid)
        added = true
      }
    }
  }
  for (const p of all) if (family.has(p.pid)) seen.set(`${p.pid}:${p.startTime}`, p)
}

function stillRunning(processes: Iterable<ProcessInfo>): ProcessInfo[] {
  return [...processes].filter((p) => {
    const now = readProcess(p.pid)
    return now !== undefined && now.startTime === p.startTime && now.state !== "Z"
  })
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (check()) return true
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe("Ctrl-C at any point", () => {
  // Each start needs the build to be missing, to reach the dashboard's build.
  const adminOutDir = `${ADMIN_TEST_PREFIX}-ctrl-c`
  beforeAll(() => installExampleApp(), 600_000)
  afterAll(removeAdminTestDirs)

  // A start on the embedded PostgreSQL (no DATABASE_URL), interrupted as the step's line appears.
  it.each([
    ["the embedded PostgreSQL starts", "• PostgreSQL"],
    ["the migrations run", "• medusa migrations run"],
    ["the Medusa server boots", "• medusa start on port"],
    ["the demo catalogue is seeded", "• demo catalogue"],
    ["the dashboard is built", "  dashboard build 10%"],
  ])("while %s: exit code 0, quietly, nothing left running", async (_, marker) => {
    const port = await freePort()
    const store = launch(storeEnv(port, { MEDUSA_ADMIN_OUT_DIR: adminOutDir }))
    const pid = store.child.pid!
    const family = new Map<string, ProcessInfo>()
    const watch = setInterval(() => descendants(pid, family), 100)
    try {
      await store.waitFor(marker, 300_000)
      descendants(pid, family)
      // As a terminal's Ctrl-C: SIGINT to the foreground process group.
      process.kill(-pid, "SIGINT")
      expect(await store.exited).toBe(0)
    } finally {
      clearInterval(watch)
    }
    const output = store.output()
    const after = output.slice(output.indexOf(marker) + marker.length)
    expect(after).toMatch(/Stopping…/)
    expect(after).not.toMatch(/failed|error/i)

    // Nothing is left: not in its process group, and none of the processes it started in groups
    // of their own (the Medusa server, the dashboard's build).
    expect(await eventually(() => groupProcesses(pid).length === 0, 5000)).toBe(true)
    expect(await eventually(() => stillRunning(family.values()).length === 0, 5000)).toEqual(true)
    expect(await portIsFree(port, "0.0.0.0")).toBe(true)
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow()
    // The embedded PostgreSQL it started is stopped (one started by another process, such as a
    // test run without DATABASE_URL, is only shared, and stays).
    if (!/reusing the embedded PostgreSQL/.test(output)) expect(fs.existsSync(POSTMASTER_PID)).toBe(false)
  }, 400_000)
})
