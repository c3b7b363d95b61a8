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
    .filter((file) => file.endsWith(".json"))
    .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as AppRecord)
}

function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal)
    return true
  } catch {
    return false
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(-pid, 0)
    return true
  } catch {
    return false
  }
}

/** SIGKILL to every recorded app, synchronously (for `exit` hooks, which cannot wait). */
export function killRecordedApps(dir: string): void {
  for (const record of readRecords(dir)) signalGroup(record.pid, "SIGKILL")
}

/** Stops every recorded app (SIGTERM, SIGKILL after 5 s), drops its database, removes the folder and its logs. */
export async function stopRecordedApps(dir: string, serverUrl?: string): Promise<void> {
  const records = readRecords(dir)
  for (const record of records) signalGroup(record.pid, "SIGTERM")
  const deadline = Date.now() + 5000
  while (records.some((r) => alive(r.pid)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  for (const record of records) signalGroup(record.pid, "SIGKILL")
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
