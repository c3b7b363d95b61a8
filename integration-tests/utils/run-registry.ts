import fs from "fs"
import os from "os"
import path from "path"
import { Client } from "pg"

/**
 * The Medusa apps that the test files of one jest run share (see shared-apps.ts), recorded as
 * one JSON file each in a folder made by jest's global setup. The global teardown, and an
 * `exit` hook should the run be interrupted, stop every app recorded there and drop its
 * database. Kept free of heavy imports: the global setup and teardown load it.
 */

export interface AppRecord {
  name: string
  url: string
  /** The `medusa start` process, leader of its own process group. */
  pid: number
  database: string
  databaseUrl: string
  logFile: string
}

const RUN_DIR_VARIABLE = "MEDUSA_E2E_RUN_DIR"

/** Makes the run's folder (global setup); test files find it through the environment. */
export function createRunDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "medusa-e2e-"))
  process.env[RUN_DIR_VARIABLE] = dir
  return dir
}

/** The run's folder; made here when a test file runs outside jest's global setup. */
export function runDir(): string {
  const dir = process.env[RUN_DIR_VARIABLE]
  if (dir && fs.existsSync(dir)) return dir
  return createRunDir()
}

export function recordFile(dir: string, name: string): string {
  return path.join(dir, `${name}.json`)
}

export function readRecords(dir: string): AppRecord[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((file) => file.endsWith(".json") && !file.startsWith("process-"))
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as AppRecord)
}

/** A helper server a test file started for the whole run (PgBouncer, say), stopped by the teardown. */
export interface ProcessRecord {
  name: string
  /** Leader of its own process group. */
  pid: number
  [detail: string]: unknown
}

export function processRecordFile(dir: string, name: string): string {
  return path.join(dir, `process-${name}.json`)
}

export function readProcessRecords(dir: string): ProcessRecord[] {
  if (!fs.existsSync(dir)) return []
  return fs
    .readdirSync(dir)
    .filter((file) => file.startsWith("process-") && file.endsWith(".json"))
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as ProcessRecord)
}

/** Signals `pid`'s process group, or the process alone when it leads none. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, signal)
      return true
    } catch {
      // not a group leader, or gone
    }
  }
  return false
}

function alive(pid: number): boolean {
  return signalGroup(pid, 0 as unknown as NodeJS.Signals)
}

/** SIGKILL to every recorded app, synchronously (for `exit` hooks, which cannot wait). */
export function killRecordedApps(dir: string): void {
  for (const record of [...readRecords(dir), ...readProcessRecords(dir)]) signalGroup(record.pid, "SIGKILL")
}

/** Stops every recorded app and helper process (SIGTERM, SIGKILL after 5 s), drops the apps' databases, removes the folder and its logs. */
export async function stopRecordedApps(dir: string, serverUrl?: string): Promise<void> {
  const records = readRecords(dir)
  const processes = readProcessRecords(dir)
  for (const record of [...records, ...processes]) signalGroup(record.pid, "SIGTERM")
  const deadline = Date.now() + 5000
  while ([...records, ...processes].some((r) => alive(r.pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (const record of [...records, ...processes]) signalGroup(record.pid, "SIGKILL")
  for (const record of processes) {
    if (typeof record.home === "string") fs.rmSync(record.home, { recursive: true, force: true })
  }
  if (serverUrl && records.length) {
    const client = new Client({ connectionString: serverUrl })
    await client.connect()
    try {
      for (const record of records) await client.query(`DROP DATABASE IF EXISTS "${record.database}" WITH (FORCE)`)
    } finally {
      await client.end()
    }
  }
  fs.rmSync(dir, { recursive: true, force: true })
}

/**
 * The record in `file`, made by `boot` the first time any test file of the run asks for it:
 * one jest worker boots while the others wait for the record (a lock file says who boots).
 */
export async function sharedRecord<T>(file: string, boot: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`
  for (;;) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, "utf8")) as T
    try {
      fs.closeSync(fs.openSync(lock, "wx"))
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 300))
      continue
    }
    try {
      const record = await boot()
      fs.writeFileSync(file, JSON.stringify(record))
      return record
    } finally {
      fs.rmSync(lock, { force: true })
    }
  }
}
