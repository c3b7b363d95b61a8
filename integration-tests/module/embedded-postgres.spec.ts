import { execFile, spawn } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { promisify } from "util"
import { EMBEDDED_DIR_NAME } from "../../src/tools/embedded-postgres"

const run = promisify(execFile)
const CLI = path.resolve(__dirname, "../../dist/src/tools/cli/index.js")

/**
 * The CLI without DATABASE_URL: the embedded PostgreSQL, in `.embedded-postgres` of the working
 * directory, made on the first run, reused after, and never left running.
 */
describe("medusa-inventory on the embedded PostgreSQL", () => {
  let cwd: string
  let env: NodeJS.ProcessEnv
  beforeAll(() => {
    cwd = fs.mkdtempSync(path.join(os.tmpdir(), "mit-embedded-"))
    // The folder must be reachable by the server's user when the tests run as root.
    fs.chmodSync(cwd, 0o755)
    env = { ...process.env }
    delete env.DATABASE_URL
  })
  afterAll(() => {
    fs.rmSync(cwd, { recursive: true, force: true })
  })

  const dataDir = () => path.join(cwd, EMBEDDED_DIR_NAME, "data")
  /** The CLI run that is expected to fail: its exit code and output. */
  const failing = (args: string[]): Promise<{ code: number; stderr: string }> =>
    run("node", [CLI, ...args], { cwd, env }).then(
      () => ({ code: 0, stderr: "" }),
      (e: { code: number; stderr: string }) => e
    )
  const serverRunning = () => fs.existsSync(path.join(dataDir(), "postmaster.pid"))

  it("makes the server on first use, migrates, and stops it on exit", async () => {
    const first = await run("node", [CLI, "migrate"], { cwd, env })
    expect(first.stdout.trim()).toBe("Inventory module migrations: 8 applied")
    expect(first.stderr).toMatch(/initialising an embedded PostgreSQL in \.embedded-postgres\/data \(first run only\)/)
    expect(fs.existsSync(path.join(dataDir(), "PG_VERSION"))).toBe(true)
    expect(serverRunning()).toBe(false)
    if (process.getuid?.() === 0) {
      // PostgreSQL refuses root: the data belongs to the unprivileged user it ran as.
      expect(fs.statSync(dataDir()).uid).not.toBe(0)
    }
  })

  it("reuses the data: seed, simulate --strict and doctor, each with its own start and stop", async () => {
    const seeded = await run("node", [CLI, "seed", "--items", "30", "--locations", "2", "--stock", "5", "--reserve", "1", "--json"], { cwd, env })
    expect(seeded.stderr).not.toMatch(/initialising/)
    expect(JSON.parse(seeded.stdout)).toMatchObject({ items: 30, levels: 60, reservations: 30, first_sku: "SEED-00001" })

    const simulated = await run("node", [CLI, "simulate", "--item", "SEED-00001", "--strict", "-n", "20", "--json"], { cwd, env })
    const result = JSON.parse(simulated.stdout)
    // 5 in stock at the location with the most available (the second, with no reservation).
    expect(result).toMatchObject({ strict: true, checkouts: 20, reserved: 5, refused: 15, failed: 0, oversold: 0, released: 5 })
    expect(result.before).toEqual({ stocked: 5, reserved: 0, available: 5 })
    expect(result.after).toEqual({ stocked: 5, reserved: 5, available: 0 })

    const doctor = await run("node", [CLI, "doctor", "--json"], { cwd, env })
    const report = JSON.parse(doctor.stdout)
    expect(report.levels_checked).toBe(60)
    expect(report.drift).toEqual([])
    expect(serverRunning()).toBe(false)
  })

  it("fails with a one-line reason and a non-zero exit, and still stops the server", async () => {
    const missing = await failing(["simulate", "--item", "NO-SUCH-SKU"])
    expect(missing.code).toBe(1)
    expect(missing.stderr.trim().split("\n").pop()).toBe('medusa-inventory: no inventory item with id or sku "NO-SUCH-SKU"')
    const again = await failing(["seed", "--items", "1"])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/medusa-inventory: items with the prefix SEED exist \(SEED-00001\): pick another --prefix/)
    expect(serverRunning()).toBe(false)
  })

  it("stops the server on Ctrl-C (SIGINT) in the middle of a command", async () => {
    const child = spawn("node", [CLI, "seed", "--items", "200000", "--prefix", "BIG"], { cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    let stderr = ""
    child.stderr.on("data", (d) => (stderr += d))
    // Interrupt once the server is up and the seed is under way.
    for (let i = 0; i < 300 && !/listening on/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100))
    expect(stderr).toMatch(/listening on 127\.0\.0\.1:\d+/)
    await new Promise((r) => setTimeout(r, 500))
    child.kill("SIGINT")
    const code = await new Promise<number | null>((resolve) => child.once("exit", (c) => resolve(c)))
    expect(code).not.toBe(0)
    expect(serverRunning()).toBe(false)
  })
})
