import fs from "fs"
import path from "path"
import { Client } from "pg"
import { appEnv, freePort, startMedusa } from "../../scripts/example-app"
import { uniqueDatabaseName } from "../utils/database"
import { AppRecord, recordFile, runDir, sharedRecord } from "../utils/run-registry"
import { Api, E2E_ADMIN, installExampleApp, migratedAppDatabase } from "./medusa-app"

/**
 * Medusa apps shared by every test file of one jest run: each is booted once, on first use,
 * and stopped by jest's global teardown. Tests on a shared app make their own data (their own
 * locations, products, skus) and filter by it, so they do not see each other's rows.
 *
 * Both shared apps are `examples/medusa-backend` with the test-only `e2e-driver` plugin, which
 * lets a test call a service from Medusa's container (`app.call(...)`), as a store's custom
 * endpoint, subscriber or plugin does; `ours` runs this package as `inventoryService`,
 * `official` runs `@medusajs/inventory@1.11.7`.
 */

/**
 * The two locations the priority apps list, in that order (`allocation: { priority }` takes
 * location ids, so they exist before the app boots: made in its database by `prepare`).
 * Tests on those apps stock these two; other apps' tests make their own locations.
 */
export const PRIORITY_LOCATIONS = ["sloc_e2e_priority_a", "sloc_e2e_priority_b"] as const

// Up to nine shared apps live for the whole run on a server of 100 connections: an app's idle
// connections close after a second (a burst of checkouts grows a pool to 30).
const DRIVER = { MEDUSA_INVENTORY_E2E_DRIVER: "true", DATABASE_IDLE_TIMEOUT_MS: "1000" }
const PRIORITY = JSON.stringify({ priority: PRIORITY_LOCATIONS })

export const SHARED_APPS = {
  // The module's defaults, as a store that switches modules gets them (the example store itself uses "most-available").
  ours: { ...DRIVER, INVENTORY_ALLOCATION: "as-listed" },
  official: { ...DRIVER, INVENTORY_MODULE: "@medusajs/inventory" },
  // The allocation strategies (allocation.e2e.spec.ts), each with and without strictReservations.
  oursStrict: { ...DRIVER, INVENTORY_ALLOCATION: "as-listed", STRICT_RESERVATIONS: "true" },
  mostAvailable: { ...DRIVER, INVENTORY_ALLOCATION: "most-available", CONFIRM_PER_LOCATION: "true" },
  mostAvailableStrict: { ...DRIVER, INVENTORY_ALLOCATION: "most-available", CONFIRM_PER_LOCATION: "true", STRICT_RESERVATIONS: "true" },
  priority: { ...DRIVER, INVENTORY_ALLOCATION: PRIORITY, CONFIRM_PER_LOCATION: "true" },
  priorityStrict: { ...DRIVER, INVENTORY_ALLOCATION: PRIORITY, CONFIRM_PER_LOCATION: "true", STRICT_RESERVATIONS: "true" },
} satisfies Record<string, Record<string, string>>

/** What an app needs in its database before it boots. */
const PREPARE: Partial<Record<keyof typeof SHARED_APPS, (databaseUrl: string) => Promise<void>>> = {
  priority: makePriorityLocations,
  priorityStrict: makePriorityLocations,
}

async function makePriorityLocations(databaseUrl: string): Promise<void> {
  const client = new Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`INSERT INTO stock_location (id, name) SELECT id, 'Priority ' || upper(right(id, 1)) FROM unnest($1::text[]) AS u(id)`, [
      [...PRIORITY_LOCATIONS],
    ])
  } finally {
    await client.end()
  }
}

export type SharedAppName = keyof typeof SHARED_APPS

export const ADMIN_EMAIL = E2E_ADMIN.email
export const ADMIN_PASSWORD = E2E_ADMIN.password

/** What a call through the driver answered: its result, or the error a caller would catch. */
export type CallOutcome<T = any> =
  | { result: T; error?: undefined }
  | { result?: undefined; error: { name?: string; type?: string; code?: string; message: string } }

export interface CallOptions {
  /** Run the call inside a transaction of Medusa's manager; `TRANSACTION_MANAGER` stands for it. */
  transaction?: boolean
}

/** In the arguments of a call with `{ transaction: true }`: that transaction's EntityManager. */
export const TRANSACTION_MANAGER = { $marker: "transactionManager" } as const

export interface SharedApp extends AppRecord {
  /** A client logged in as the admin. */
  admin: () => Promise<Api>
  /** A client without credentials (store API, or unauthenticated admin calls). */
  anonymous: () => Api
  /** `service.method(...args)` inside the Medusa app; resolves with what it returned or threw. */
  call: <T = any>(service: string, method: string, args?: unknown[], options?: CallOptions) => Promise<CallOutcome<T>>
  /** `call` on `inventoryService` that returns the result and throws what the method threw. */
  inventory: <T = any>(method: string, ...args: unknown[]) => Promise<T>
  /** Everything the server printed so far. */
  logs: () => string
}

// The same encoding as examples/medusa-backend/plugins/e2e-driver/codec.js.
export function encode(value: unknown): unknown {
  if (value === undefined) return { $undefined: true }
  if (value instanceof Date) return { $date: value.toISOString() }
  if (typeof value === "number" && !Number.isFinite(value)) return { $number: String(value) }
  if (Array.isArray(value)) return value.map(encode)
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, encode(inner)]))
  }
  return value
}

export function decode(value: unknown): any {
  if (Array.isArray(value)) return value.map(decode)
  if (value && typeof value === "object") {
    const tagged = value as Record<string, unknown>
    if (tagged.$undefined === true) return undefined
    if (typeof tagged.$date === "string") return new Date(tagged.$date)
    if (typeof tagged.$number === "string") return Number(tagged.$number)
    return Object.fromEntries(Object.entries(tagged).map(([key, inner]) => [key, decode(inner)]))
  }
  return value
}

/** The error a driver call answered, as an Error with the MedusaError's type and code. */
export class CalledError extends Error {
  constructor(
    message: string,
    readonly type?: string,
    readonly code?: string
  ) {
    super(message)
  }
}

const pending = new Map<SharedAppName, Promise<SharedApp>>()

/** The shared app `name`, booted on first use in this jest run. */
export function sharedApp(name: SharedAppName): Promise<SharedApp> {
  let app = pending.get(name)
  if (!app) {
    app = attach(name)
    pending.set(name, app)
    app.catch(() => pending.delete(name))
  }
  return app
}

async function attach(name: SharedAppName): Promise<SharedApp> {
  const dir = runDir()
  return connect(await sharedRecord(recordFile(dir, name), () => boot(name, dir)))
}

async function boot(name: SharedAppName, dir: string): Promise<AppRecord> {
  await installExampleApp()
  const database = uniqueDatabaseName(`mit_shared_${name}`)
  const databaseUrl = await migratedAppDatabase(database, SHARED_APPS[name])
  await PREPARE[name]?.(databaseUrl)
  const env = appEnv(databaseUrl, await freePort(), SHARED_APPS[name])
  const logFile = path.join(dir, `${name}.log`)
  const server = await startMedusa(env, { logFile })
  return { name, url: server.url, pid: server.child.pid!, database, databaseUrl, logFile }
}

async function connect(record: AppRecord): Promise<SharedApp> {
  const logs = () => (fs.existsSync(record.logFile) ? fs.readFileSync(record.logFile, "utf8") : "")
  const healthy = await fetch(`${record.url}/health`).then((r) => r.ok, () => false)
  if (!healthy) throw new Error(`the shared Medusa app "${record.name}" stopped answering:\n${logs().slice(-3000)}`)
  let admin: Promise<Api> | undefined
  const loggedIn = () => {
    admin ??= (async () => {
      const api = new Api(record.url)
      await api.login(ADMIN_EMAIL, ADMIN_PASSWORD)
      return api
    })()
    return admin
  }
  const call = async <T>(service: string, method: string, args: unknown[] = [], options: CallOptions = {}): Promise<CallOutcome<T>> => {
    const api = await loggedIn()
    const body = await api.ok("POST", "/admin/e2e/call", { service, method, args: encode(args), transaction: options.transaction ?? false })
    return body.error ? { error: body.error } : { result: decode(body.result) as T }
  }
  return {
    ...record,
    admin: loggedIn,
    anonymous: () => new Api(record.url),
    call,
    inventory: async <T>(method: string, ...args: unknown[]) => {
      const outcome = await call<T>("inventoryService", method, args)
      if (outcome.error) throw new CalledError(outcome.error.message, outcome.error.type, outcome.error.code)
      return outcome.result as T
    },
    logs,
  }
}
