import { Client } from "pg"
import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, InventoryMovement, ReservationItem, runMigrations } from "../../src"
import InventoryService from "../../src/services/inventory"
import { LEDGER_IMBALANCE_SQL } from "../../src/stock/ledger"
import { liveReservationSums } from "../../src/stock/reservations"
import { sharedPgBouncer, viaPgBouncer } from "./pgbouncer"
import type { InventoryModuleOptions } from "../../src/types"

/**
 * Real PostgreSQL for every test. `DATABASE_URL` names the server: CI's local one, or the
 * embedded one that the global setup starts when it is unset. Each suite (and so each jest
 * worker) gets its own databases, named after the worker, created and migrated once and
 * truncated between tests.
 */
function serverUrl(): string {
  const url = process.env.DATABASE_URL
  if (!url) throw new Error("DATABASE_URL is unset: run the tests through jest, whose global setup provides one")
  return url
}
export const SERVER_URL = serverUrl()

export function databaseUrl(name: string): string {
  const url = new URL(SERVER_URL)
  url.pathname = `/${name}`
  return url.toString()
}

async function admin<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: SERVER_URL })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

export async function createDatabase(name: string): Promise<string> {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    await client.query(`CREATE DATABASE "${name}"`)
  })
  return databaseUrl(name)
}

/**
 * A database copied from `template` (CREATE DATABASE … TEMPLATE: a file copy, far faster than
 * migrating). PostgreSQL refuses while anyone is connected to the template; the process that
 * made it may still be disconnecting, so that is retried for a few seconds.
 */
export async function createDatabaseFrom(name: string, template: string): Promise<string> {
  await admin(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`)
        return
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  })
  return databaseUrl(name)
}

/** Renames a database (retried while the process that used it is still disconnecting). */
export async function renameDatabase(from: string, to: string): Promise<void> {
  await admin(async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(`ALTER DATABASE "${from}" RENAME TO "${to}"`)
        return
      } catch (error) {
        if (attempt >= 20 || !/being accessed by other users/.test(String(error))) throw error
        await new Promise((resolve) => setTimeout(resolve, 250))
      }
    }
  })
}

/** Whether a database of that name exists on the test server. */
export async function databaseExists(name: string): Promise<boolean> {
  return admin(async (client) => (await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name])).rowCount === 1)
}

/** The databases on the test server whose names start with `prefix`. */
export async function databasesLike(prefix: string): Promise<string[]> {
  return admin(async (client) =>
    (await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE starts_with(datname, $1)`, [prefix])).rows.map((r) => r.datname)
  )
}

export async function dropDatabase(name: string): Promise<void> {
  await admin((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))
}

export function uniqueDatabaseName(prefix: string): string {
  return `${prefix}_${process.env.JEST_WORKER_ID ?? "0"}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
}

export interface RecordedEvent {
  name: string
  data: any
}

/** An event bus that records what it is asked to emit. */
export class RecordingEventBus {
  events: RecordedEvent[] = []
  async emit(name: string, data: unknown): Promise<void> {
    this.events.push({ name, data })
  }
  names(): string[] {
    return this.events.map((e) => e.name)
  }
  clear(): void {
    this.events = []
  }
}

export interface TestDatabase {
  name: string
  url: string
  dataSource: DataSource
  eventBus: RecordingEventBus
  service: (options?: InventoryModuleOptions) => InventoryService
  query: <T = any>(sql: string, params?: unknown[]) => Promise<T[]>
  truncate: () => Promise<void>
  close: () => Promise<void>
}

/** A migrated database and a DataSource over it, the way Medusa shares its own (shared mode). */
export async function setupTestDatabase(prefix = "mit", poolSize = 10): Promise<TestDatabase> {
  const name = uniqueDatabaseName(prefix)
  const url = await createDatabase(name)
  await runMigrations({ options: { database: { url } } })
  // The "pgbouncer" jest project runs the same suites with the module behind a transaction-mode
  // PgBouncer; the harness's own statements (migrations, admin) go to the server directly.
  const moduleUrl = viaPgBouncer() ? (await sharedPgBouncer()).url(name) : url
  const dataSource = new DataSource({
    type: "postgres",
    url: moduleUrl,
    entities: [InventoryItem, InventoryLevel, ReservationItem, InventoryMovement],
    extra: { max: poolSize },
  })
  await dataSource.initialize()
  const eventBus = new RecordingEventBus()
  return {
    name,
    url,
    dataSource,
    eventBus,
    service: (options = {}) => new InventoryService({ manager: dataSource.manager, eventBusService: eventBus }, options),
    query: (sql, params) => dataSource.query(sql, params),
    truncate: async () => {
      await dataSource.query(`TRUNCATE inventory_item, inventory_level, reservation_item, inventory_movement, inventory_idempotency_key, inventory_transfer`)
      eventBus.clear()
    },
    close: async () => {
      await dataSource.destroy()
      await dropDatabase(name)
    },
  }
}

/** For every live level whose reserved_quantity differs from its live reservations: the difference. */
export async function reservedDrift(db: TestDatabase): Promise<{ id: string; drift: number }[]> {
  return db.query(
    `WITH levels AS (SELECT id, inventory_item_id, location_id, reserved_quantity FROM inventory_level WHERE deleted_at IS NULL),
     ${liveReservationSums("levels")}
     SELECT l.id, l.reserved_quantity - COALESCE(s.quantity, 0) AS drift
       FROM levels l
       LEFT JOIN sums s ON s.inventory_item_id = l.inventory_item_id AND s.location_id = l.location_id
      WHERE l.reserved_quantity <> COALESCE(s.quantity, 0)`
  )
}

/** I6: every (item, location) whose live level disagrees with the sums of its movements. */
export async function ledgerImbalance(db: TestDatabase): Promise<Record<string, unknown>[]> {
  return db.query(LEDGER_IMBALANCE_SQL)
}
