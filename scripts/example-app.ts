import { ChildProcess, execFile, spawn } from "child_process"
import { createHash } from "crypto"
import fs from "fs"
import path from "path"
import { promisify } from "util"
import { isRunning, signalGroup, stopGroup } from "./process-group"

/**
 * The example Medusa 1.20 backend (examples/medusa-backend), as `npm start` and the end-to-end
 * tests use it: installed from its lockfile, with this package installed the way a user gets
 * it (`npm pack`, then the tarball), migrated, and started in a process group of its own.
 */

const exec = promisify(execFile)

// Compiled to dist/scripts and run by ts-jest from scripts/: the root is found by package.json.
function findRoot(from: string): string {
  let dir = from
  while (!fs.existsSync(path.join(dir, "examples/medusa-backend/package.json"))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no examples/medusa-backend above ${from}`)
    dir = parent
  }
  return dir
}

export const ROOT = findRoot(__dirname)
export const APP = path.join(ROOT, "examples/medusa-backend")
export const MEDUSA = path.join(APP, "node_modules/.bin/medusa")

function sha256(...parts: (string | Buffer)[]): string {
  const hash = createHash("sha256")
  for (const part of parts) hash.update(part)
  return hash.digest("hex")
}

/** Every file of the built package, in order, so that any change makes a new stamp. */
function packageStamp(): string {
  const files: string[] = [path.join(ROOT, "package.json")]
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name)
      if (entry.isDirectory()) walk(full)
      else files.push(full)
    }
  }
  for (const dir of ["dist/src", "dist/migrations", "plugin/dist"]) {
    const full = path.join(ROOT, dir)
    if (!fs.existsSync(full)) throw new Error(`${dir} is missing: run npm run build first`)
    walk(full)
  }
  return sha256(...files.flatMap((file) => [path.relative(ROOT, file), fs.readFileSync(file)]))
}

export interface InstallReport {
  /** Whether `npm ci` ran (the first time, or after the lockfile changed). */
  installedDependencies: boolean
  /** Whether this package was packed and installed again (it changed since the last time). */
  installedPackage: boolean
}

export interface InstallOptions {
  /** Stops the install (kills `npm`) when aborted, as `npm start` does on Ctrl-C. */
  signal?: AbortSignal
}

/**
 * Installs the example app from its lockfile, and this package from `npm pack`: a linked
 * package would bring a second TypeORM. Each step is skipped while a stamp in node_modules
 * says that it is up to date.
 */
export async function installExampleApp(onStatus: (line: string) => void = () => undefined, options: InstallOptions = {}): Promise<InstallReport> {
  return await withFileLock(path.join(APP, ".install.lock"), () => install(onStatus, options.signal), options.signal)
}

/**
 * One holder at a time across processes (jest workers, a test run beside `npm start`): the
 * lock is a file made exclusively, holding the owner's pid; one left by a dead process is taken
 * over. Waiting ends with an AbortError when `signal` is aborted.
 */
export async function withFileLock<T>(lock: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (;;) {
    signal?.throwIfAborted()
    try {
      fs.writeFileSync(lock, String(process.pid), { flag: "wx" })
      break
    } catch {
      if (lockOwner(lock) !== undefined) await new Promise((resolve) => setTimeout(resolve, 500))
      else fs.rmSync(lock, { force: true })
    }
  }
  try {
    return await fn()
  } finally {
    fs.rmSync(lock, { force: true })
  }
}

/**
 * The pid in a lock file, when that process is alive. A file without a pid yet (made, not yet
 * written) counts as held for a few seconds.
 */
export function lockOwner(lock: string): number | undefined {
  let owner: number
  let age: number
  try {
    owner = Number(fs.readFileSync(lock, "utf8"))
    age = Date.now() - fs.statSync(lock).mtimeMs
  } catch {
    return undefined
  }
  if (!Number.isInteger(owner) || owner <= 0) return age < 5000 ? process.pid : undefined
  try {
    process.kill(owner, 0)
    return owner
  } catch {
    return undefined
  }
}

async function install(onStatus: (line: string) => void, signal?: AbortSignal): Promise<InstallReport> {
  const report: InstallReport = { installedDependencies: false, installedPackage: false }
  const lockStamp = sha256(fs.readFileSync(path.join(APP, "package-lock.json")))
  const lockStampFile = path.join(APP, "node_modules/.installed-from-lockfile")
  if (!fs.existsSync(lockStampFile) || fs.readFileSync(lockStampFile, "utf8") !== lockStamp) {
    onStatus("installing the example store's dependencies from its lockfile (npm ci; first run only, about a minute)")
    await exec("npm", ["ci", "--no-audit", "--no-fund"], { cwd: APP, maxBuffer: 64 * 1024 * 1024, signal })
    fs.writeFileSync(lockStampFile, lockStamp)
    report.installedDependencies = true
  }
  const stamp = packageStamp()
  const stampFile = path.join(APP, "node_modules/.installed-package")
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === stamp && fs.existsSync(path.join(APP, "node_modules/medusa-inventory-typeorm"))) {
    return report
  }
  onStatus("installing this package into the example store (npm pack)")
  const packDir = path.join(APP, ".pack")
  fs.rmSync(packDir, { recursive: true, force: true })
  fs.mkdirSync(packDir)
  const { stdout } = await exec("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], { cwd: ROOT, signal })
  const tarball = path.join(packDir, stdout.trim().split("\n").pop()!)
  await exec("npm", ["install", "--no-save", "--no-audit", "--no-fund", tarball], { cwd: APP, maxBuffer: 64 * 1024 * 1024, signal })
  // `npm install` rewrites node_modules: record both stamps after it.
  fs.writeFileSync(lockStampFile, lockStamp)
  fs.writeFileSync(stampFile, stamp)
  report.installedPackage = true
  return report
}

export { freePort } from "../src/tools/net"

/**
 * The environment the example app runs in. Not NODE_ENV=test (jest's): Medusa then skips its
 * middlewares and fails with "Could not resolve 'middlewareService'".
 */
export function appEnv(databaseUrl: string, port: number, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { ...process.env, NODE_ENV: "development", DATABASE_URL: databaseUrl, MEDUSA_DISABLE_TELEMETRY: "true", PORT: String(port), ...extra }
}

/**
 * Runs the example app's `medusa` command to completion; its output is returned. Aborting
 * `signal` kills it (SIGTERM) and rejects with an AbortError.
 */
export async function medusaCommand(args: string[], env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<string> {
  const { stdout, stderr } = await exec(MEDUSA, args, { cwd: APP, env, maxBuffer: 64 * 1024 * 1024, signal })
  return stdout + stderr
}

export interface MedusaServer {
  url: string
  child: ChildProcess
  /** Everything the server printed so far. */
  output: () => string
  /** SIGTERM to the server's process group, SIGKILL to what is left after its exit or 5 s; idempotent. */
  stop: () => Promise<void>
  /** SIGKILL to the process group, for `exit` handlers that cannot wait. */
  kill: () => void
}

export interface StartMedusaOptions {
  onOutput?: (chunk: string) => void
  timeoutMs?: number
  /**
   * Write the server's output to this file instead of a pipe, and do not keep this process
   * alive for it: the server may outlive the caller (an app shared by several test files,
   * stopped by jest's global teardown). `onOutput` is not called then; `output()` reads the file.
   */
  logFile?: string
  /**
   * Called as soon as the server process exists, before it answers: whoever must stop it on
   * Ctrl-C (npm start) gets it during the boot too, when startMedusa has not returned yet.
   */
  onSpawn?: (server: MedusaServer) => void
}

/** `medusa start` in a process group of its own, resolved once `/health` answers. */
export async function startMedusa(env: NodeJS.ProcessEnv, options: StartMedusaOptions = {}): Promise<MedusaServer> {
  let output = ""
  const { logFile } = options
  let child: ChildProcess
  if (logFile) {
    const fd = fs.openSync(logFile, "a")
    try {
      child = spawn(MEDUSA, ["start"], { cwd: APP, env, detached: true, stdio: ["ignore", fd, fd] })
    } finally {
      fs.closeSync(fd)
    }
    child.unref()
  } else {
    child = spawn(MEDUSA, ["start"], { cwd: APP, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    const collect = (chunk: Buffer) => {
      const text = chunk.toString()
      output += text
      options.onOutput?.(text)
    }
    child.stdout!.on("data", collect)
    child.stderr!.on("data", collect)
  }
  const readOutput = () => (logFile ? (fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8") : "") : output)
  let stopping: Promise<void> | undefined
  const stop = () => (stopping ??= stopGroup(child, 5000))
  const kill = () => {
    if (isRunning(child)) signalGroup(child, "SIGKILL")
  }
  const server: MedusaServer = { url: `http://127.0.0.1:${env.PORT}`, child, output: readOutput, stop, kill }
  options.onSpawn?.(server)
  const deadline = Date.now() + (options.timeoutMs ?? 120_000)
  try {
    for (;;) {
      if (!isRunning(child)) throw new Error(`medusa start exited with ${child.signalCode ?? child.exitCode}:\n${readOutput().slice(-3000)}`)
      const healthy = await fetch(`${server.url}/health`).then((r) => r.ok, () => false)
      if (healthy) return server
      if (Date.now() > deadline) throw new Error(`no /health after ${(options.timeoutMs ?? 120_000) / 1000} s:\n${readOutput().slice(-3000)}`)
      await new Promise((resolve) => setTimeout(resolve, 300))
    }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A small HTTP client for the admin and store APIs. */
export class Api {
  private token?: string
  constructor(readonly base: string) {}

  async login(email: string, password: string): Promise<void> {
    const { body } = await this.request("POST", "/admin/auth/token", { email, password })
    this.token = body.access_token
  }

  async request(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.base}${route}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    let parsed: any = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed }
  }

  async ok(method: string, route: string, body?: unknown): Promise<any> {
    const result = await this.request(method, route, body)
    if (result.status >= 300) {
      throw new Error(`${method} ${route} answered ${result.status}: ${JSON.stringify(result.body)}`)
    }
    return result.body
  }
}

/** What a cart needs to be sold one variant: where it is sold, and how it ships. */
export interface CartTarget {
  regionId: string
  salesChannelId: string
  shippingOptionId: string
  variantId: string
}

/** A cart with `quantity` of the variant (and `more` lines), ready to complete (address, shipping, manual payment). */
export async function readyCart(
  store: Api,
  target: CartTarget,
  quantity: number,
  email = "buyer@e2e.test",
  more: { variant_id: string; quantity: number }[] = []
): Promise<string> {
  const { cart } = await store.ok("POST", "/store/carts", { region_id: target.regionId, sales_channel_id: target.salesChannelId })
  for (const line of [{ variant_id: target.variantId, quantity }, ...more]) await store.ok("POST", `/store/carts/${cart.id}/line-items`, line)
  await store.ok("POST", `/store/carts/${cart.id}`, {
    email,
    shipping_address: { first_name: "E", last_name: "Two", address_1: "1 Main St", city: "Town", country_code: "us", postal_code: "10001" },
  })
  await store.ok("POST", `/store/carts/${cart.id}/shipping-methods`, { option_id: target.shippingOptionId })
  await store.ok("POST", `/store/carts/${cart.id}/payment-sessions`)
  await store.ok("POST", `/store/carts/${cart.id}/payment-session`, { provider_id: "manual" })
  return cart.id
}
