import { execFile } from "child_process"
import fs from "fs"
import os from "os"
import path from "path"
import { Client } from "pg"
import { promisify } from "util"
import { freePort } from "../../src/tools/net"
import { processRecordFile, runDir } from "./run-registry"

/**
 * A PostgreSQL server a test starts for itself, from the machine's PostgreSQL binaries
 * (Debian's `postgresql` package: /usr/lib/postgresql/<version>/bin): for tests that restart a
 * server or stream a replica from it, which the shared test server must not be put through.
 * As root the server runs as the `postgres` user (PostgreSQL refuses root).
 */

const exec = promisify(execFile)
const isRoot = () => process.getuid?.() === 0

export interface Cluster {
  port: number
  /** The folder holding `data/` and `server.log`. */
  dir: string
  url(database?: string): string
  /** A query on `database` (default `postgres`) over a connection of its own. */
  query<T = any>(sql: string, params?: unknown[], database?: string): Promise<T[]>
  start(): Promise<void>
  /** `pg_ctl restart -m fast`: sessions are terminated (57P01), the server is back when it returns. */
  restart(): Promise<void>
  /** The command line of restart(), for a child process that restarts the server itself. */
  restartCommand(): string[]
  /** Records the server's current pid for the global teardown (after a restart made elsewhere). */
  recordPid(): void
  stop(mode?: "fast" | "immediate"): Promise<void>
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>
}

/** The newest PostgreSQL installed with the tools a test needs (initdb, pg_ctl, pg_basebackup). */
function binDir(): string {
  const root = "/usr/lib/postgresql"
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => fs.existsSync(path.join(root, v, "bin", "pg_basebackup")))
        .sort((a, b) => Number(b) - Number(a))
    : []
  if (!versions.length) throw new Error("no PostgreSQL binaries in /usr/lib/postgresql: apt-get install -y postgresql")
  return path.join(root, versions[0], "bin")
}

function commandLine(command: string, args: string[]): string[] {
  return isRoot() ? ["runuser", "-u", "postgres", "--", command, ...args] : [command, ...args]
}

async function run(command: string, args: string[]): Promise<string> {
  const [file, ...argv] = commandLine(command, args)
  const { stdout, stderr } = await exec(file, argv, { maxBuffer: 16 * 1024 * 1024 })
  return stdout + stderr
}

export interface ClusterOptions {
  /** Make this server a streaming replica of `primary` (pg_basebackup -R). */
  replicaOf?: Cluster
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const bin = binDir()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), options.replicaOf ? "pg-replica-" : "pg-primary-"))
  if (isRoot()) await exec("chown", ["postgres", dir])
  const data = path.join(dir, "data")
  const log = path.join(dir, "server.log")
  const port = await freePort()
  if (options.replicaOf) {
    await run(path.join(bin, "pg_basebackup"), ["-D", data, "-h", "127.0.0.1", "-p", String(options.replicaOf.port), "-U", "postgres", "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"])
  } else {
    await run(path.join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
    fs.appendFileSync(path.join(data, "pg_hba.conf"), "host all all 127.0.0.1/32 trust\nhost replication all 127.0.0.1/32 trust\n")
  }
  // The replica's copy of postgresql.conf carries the primary's port: the last setting wins.
  fs.appendFileSync(
    path.join(data, "postgresql.conf"),
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      "wal_level = replica",
      "max_wal_senders = 5",
      "hot_standby = on",
      "fsync = off",
      "max_connections = 200",
      "",
    ].join("\n")
  )
  const url = (database = "postgres") => `postgres://postgres@127.0.0.1:${port}/${database}`
  const pgCtlArgs = (...args: string[]) => ["-D", data, "-l", log, "-w", "-t", "60", ...args]
  const pgCtl = (...args: string[]) => run(path.join(bin, "pg_ctl"), pgCtlArgs(...args))
  const record = () => {
    const pidFile = path.join(data, "postmaster.pid")
    if (!fs.existsSync(pidFile)) return
    const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0])
    // Stopped by the global teardown should the test not get to it.
    fs.writeFileSync(processRecordFile(runDir(), `postgres-${port}`), JSON.stringify({ name: `postgres-${port}`, pid, home: dir }))
  }
  const cluster: Cluster = {
    port,
    dir,
    url,
    async query(sql, params = [], database = "postgres") {
      const client = new Client({ connectionString: url(database) })
      await client.connect()
      try {
        return (await client.query(sql, params as unknown[])).rows
      } finally {
        await client.end()
      }
    },
    async start() {
      await pgCtl("start")
      record()
    },
    async restart() {
      await pgCtl("-m", "fast", "restart")
      record()
    },
    recordPid: () => record(),
    restartCommand() {
      return commandLine(path.join(bin, "pg_ctl"), pgCtlArgs("-m", "fast", "restart"))
    },
    async stop(mode = "fast") {
      if (fs.existsSync(path.join(data, "postmaster.pid"))) await pgCtl("-m", mode, "stop")
    },
    async destroy() {
      await cluster.stop("immediate").catch(() => undefined)
      fs.rmSync(processRecordFile(runDir(), `postgres-${port}`), { force: true })
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
  try {
    await cluster.start()
  } catch (error) {
    const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8").slice(-2000) : ""
    fs.rmSync(dir, { recursive: true, force: true })
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${text}`)
  }
  return cluster
}
