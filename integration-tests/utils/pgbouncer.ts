import { execFileSync, spawn } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { Client } from "pg"
import { freePort } from "../../src/tools/net"
import { processRecordFile, runDir, sharedRecord } from "./run-registry"

/**
 * A real PgBouncer (Debian's `pgbouncer` package, 1.18 here) in transaction mode in front of
 * the test server, started once per jest run on first use and stopped by the global teardown.
 * In transaction mode consecutive transactions of one client may run on different server
 * connections: what a managed pooler does to a store's Medusa.
 */

export interface Pooler {
  port: number
  /** A URL for `database` through the pooler. */
  url(database: string): string
  /** A command on PgBouncer's admin console (`SHOW POOLS`, …). */
  admin<T = Record<string, unknown>>(command: string): Promise<T[]>
}

interface PoolerRecord {
  name: string
  pid: number
  port: number
  user: string
  password: string
  /** Its config, log and pid file. */
  home: string
}

function serverUrl(): URL {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error("DATABASE_URL is unset: run the tests through jest, whose global setup provides one")
  return new URL(url)
}

function executable(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(":").concat(["/usr/sbin", "/usr/local/sbin", "/sbin"])) {
    const candidate = path.join(dir, name)
    if (fs.existsSync(candidate)) return candidate
  }
  throw new Error(`${name} is not installed: apt-get install -y ${name} (.ci/run installs it)`)
}

const isRoot = () => process.getuid?.() === 0

/** PgBouncer refuses to run as root: as root it runs as the `postgres` user. */
function asServerUser(command: string, args: string[]): [string, string[]] {
  return isRoot() ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args]
}

async function boot(): Promise<PoolerRecord> {
  const server = serverUrl()
  const user = decodeURIComponent(server.username || "postgres")
  const password = decodeURIComponent(server.password)
  const port = await freePort()
  // Its own folder (the run's is private to this user), handed to the user PgBouncer runs as.
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "pgbouncer-"))
  const credentials = `user=${user}${password ? ` password=${password}` : ""}`
  fs.writeFileSync(path.join(home, "userlist.txt"), `"${user}" ""\n`)
  fs.writeFileSync(
    path.join(home, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432} ${credentials}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `admin_users = ${user}`,
      `auth_file = ${path.join(home, "userlist.txt")}`,
      "pool_mode = transaction",
      "max_client_conn = 2000",
      "default_pool_size = 40",
      "reserve_pool_size = 10",
      "server_reset_query =",
      "ignore_startup_parameters = extra_float_digits,options",
      `logfile = ${path.join(home, "pgbouncer.log")}`,
      `pidfile = ${path.join(home, "pgbouncer.pid")}`,
      "",
    ].join("\n")
  )
  if (isRoot()) execFileSync("chown", ["-R", "postgres", home])
  const [command, args] = asServerUser(executable("pgbouncer"), [path.join(home, "pgbouncer.ini")])
  const child = spawn(command, args, { detached: true, stdio: "ignore" })
  child.unref()
  const record: PoolerRecord = { name: "pgbouncer", pid: child.pid!, port, user, password, home }
  const deadline = Date.now() + 15_000
  for (;;) {
    const client = new Client({ connectionString: urlFor(record, "postgres") })
    try {
      await client.connect()
      await client.query("SELECT 1")
      await client.end()
      return record
    } catch (error) {
      await client.end().catch(() => undefined)
      if (child.exitCode !== null || Date.now() > deadline) {
        const log = path.join(home, "pgbouncer.log")
        throw new Error(`PgBouncer did not start: ${(error as Error).message}\n${fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-2000) : ""}`)
      }
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

function urlFor(record: PoolerRecord, database: string): string {
  const url = new URL(`postgres://127.0.0.1:${record.port}/${database}`)
  url.username = record.user
  return url.toString()
}

/** The run's PgBouncer, started on first use. */
export async function sharedPgBouncer(): Promise<Pooler> {
  const dir = runDir()
  const record = await sharedRecord(processRecordFile(dir, "pgbouncer"), boot)
  return {
    port: record.port,
    url: (database) => urlFor(record, database),
    admin: async <T>(command: string) => {
      const client = new Client({ connectionString: urlFor(record, "pgbouncer") })
      await client.connect()
      try {
        return (await client.query(command)).rows as T[]
      } finally {
        await client.end()
      }
    },
  }
}

/** Whether this jest project runs its suites through PgBouncer (see jest.config.js). */
export function viaPgBouncer(): boolean {
  return (globalThis as { INVENTORY_TEST_POOLER?: string }).INVENTORY_TEST_POOLER === "pgbouncer"
}
