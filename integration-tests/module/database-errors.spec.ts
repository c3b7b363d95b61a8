import { MedusaError } from "@medusajs/utils"
import { Client } from "pg"
import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, ReservationItem, runMigrations } from "../../src"
import InventoryService from "../../src/services/inventory"
import { DATABASE_UNAVAILABLE } from "../../src/utils/errors"
import { setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError } from "../utils/errors"
import { startCluster } from "../utils/pg-cluster"

/**
 * Database failures an operator can diagnose: the MedusaError keeps the driver's error as
 * `cause` and names its SQLSTATE and message, never the SQL text or parameter values; it is
 * logged once through Medusa's logger; a lost or refused connection answers a distinct error
 * that says whether anything was written.
 */
describe("database failures", () => {
  let db: TestDatabase
  const logged: string[] = []
  const logger = { error: (message: string) => logged.push(message), warn: () => undefined }

  beforeAll(async () => {
    db = await setupTestDatabase("mit_dberrors")
  })
  afterAll(async () => {
    await db.close()
  })
  beforeEach(async () => {
    logged.length = 0
    await db.truncate()
  })

  const service = () => new InventoryService({ manager: db.dataSource.manager, logger } as never, {})

  it("an unexpected SQL failure is DB_ERROR with the SQLSTATE and the driver's message, the driver's error as cause, logged once", async () => {
    const secret = "iitem_SECRET_VALUE_42"
    await db.query(`ALTER TABLE inventory_level RENAME TO inventory_level_elsewhere`)
    try {
      const error = await expectMedusaError(service().retrieveAvailableQuantity(secret, ["loc_secret"]), MedusaError.Types.DB_ERROR, {
        // A missing table: the package is ahead of the database, and the message says what to do.
        exact: `The inventory database failed to run the operation (SQLSTATE 42P01: relation "inventory_level" does not exist); the database lacks part of this module's schema: run its migrations (\`medusa migrations run\`)`,
      })
      const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause
      expect(cause).toBeInstanceOf(Error)
      expect(cause?.code).toBe("42P01")
      // The driver's own error, not TypeORM's wrapper (which carries the SQL and its parameters).
      expect(cause).not.toHaveProperty("query")
      expect(cause).not.toHaveProperty("parameters")
      // Nothing of the statement or the caller's values in what a caller (or a log) shows.
      for (const text of [error.message, JSON.stringify(error), logged.join("\n")]) {
        expect(text).not.toContain(secret)
        expect(text).not.toContain("loc_secret")
        expect(text).not.toMatch(/SELECT|FROM inventory/)
      }
      expect(logged).toEqual([
        `medusa-inventory-typeorm: retrieveAvailableQuantity failed: The inventory database failed to run the operation (SQLSTATE 42P01: relation "inventory_level" does not exist); the database lacks part of this module's schema: run its migrations (\`medusa migrations run\`)`,
      ])
    } finally {
      await db.query(`ALTER TABLE inventory_level_elsewhere RENAME TO inventory_level`)
    }
  })

  it("errors the caller caused are not logged as database failures", async () => {
    await expectMedusaError(service().retrieveInventoryItem("iitem_missing"), MedusaError.Types.NOT_FOUND)
    await expectMedusaError(service().adjustInventory("iitem_x", "loc", 1.5), MedusaError.Types.INVALID_DATA)
    expect(logged).toEqual([])
  })

  it("a server that is down: DB_ERROR inventory_database_unavailable, nothing was written; back up, the next calls work", async () => {
    const cluster = await startCluster()
    const dataSource = new DataSource({
      type: "postgres",
      url: cluster.url(),
      entities: [InventoryItem, InventoryLevel, ReservationItem],
      extra: { max: 4, connectionTimeoutMillis: 2000 },
    })
    try {
      await runMigrations({ options: { database: { url: cluster.url() } } })
      await dataSource.initialize()
      const svc = new InventoryService({ manager: dataSource.manager, logger } as never, {})
      const item = await svc.createInventoryItem({ sku: "DOWN" })
      await cluster.stop()
      for (const call of [
        () => svc.createInventoryItem({ sku: "NEVER" }),
        () => svc.deleteReservationItem("resitem_x"),
        () => svc.listInventoryItems(),
        () => svc.retrieveAvailableQuantity(item.id, ["loc"]),
      ]) {
        const error = await expectMedusaError(call(), MedusaError.Types.DB_ERROR, { contains: "The inventory database is unavailable" })
        expect(error.code).toBe(DATABASE_UNAVAILABLE)
        expect(error.message).toMatch(/ECONNREFUSED|Connection terminated|57P01/)
        expect(error.message).toMatch(/; nothing was written$/)
      }
      expect(logged).toHaveLength(4)
      await cluster.start()
      expect((await svc.listInventoryItems())[1]).toBe(1)
      expect(await svc.createInventoryItem({ sku: "AFTER" })).toMatchObject({ sku: "AFTER" })
    } finally {
      if (dataSource.isInitialized) await dataSource.destroy()
      await cluster.destroy()
    }
  })

  /**
   * adjustInventory(+3) on a level of 5, in a caller's transaction whose connection the server
   * terminates just before the call (`waitForClose`: and has closed, as the driver has seen);
   * the error the call failed with, after checking that nothing was adjusted.
   */
  async function adjustOnTerminatedConnection(sku: string, waitForClose: boolean): Promise<MedusaError> {
    const svc = service()
    const item = await svc.createInventoryItem({ sku })
    await svc.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
    const admin = new Client({ connectionString: db.url })
    await admin.connect()
    let outcome: unknown
    try {
      outcome = await db.dataSource
        .transaction(async (manager) => {
          const [{ pid }] = await manager.query(`SELECT pg_backend_pid() AS pid`)
          await admin.query(`SELECT pg_terminate_backend($1)`, [pid])
          if (waitForClose) {
            for (let i = 0; i < 100; i++) {
              const { rowCount } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [pid])
              if (rowCount === 0) break
              await new Promise((resolve) => setTimeout(resolve, 20))
            }
            await new Promise((resolve) => setTimeout(resolve, 100))
          }
          await svc.adjustInventory(item.id, "loc", 3, { transactionManager: manager })
        })
        .then(
          () => undefined,
          (error: unknown) => error
        )
    } finally {
      await admin.end()
    }
    // The pool replaced the dead connection: the next calls work, and nothing was adjusted.
    expect(await svc.retrieveStockedQuantity(item.id, ["loc"])).toBe(5)
    expect(MedusaError.isMedusaError(outcome)).toBe(true)
    const error = outcome as MedusaError
    expect(error.type).toBe(MedusaError.Types.DB_ERROR)
    expect(error.code).toBe(DATABASE_UNAVAILABLE)
    return error
  }

  it("a connection terminated inside a caller's transaction: unavailable, nothing was written", async () => {
    const error = await adjustOnTerminatedConnection("TERM", false)
    // Which of the three the call meets depends on how far the driver has read the server's goodbye.
    expect(error.message).toMatch(/^The inventory database is unavailable \((SQLSTATE 57P01: terminating connection due to administrator command|Connection terminated unexpectedly|Connection lost: the database closed the connection)\); nothing was written$/)
  })

  it("a connection closed before the caller's next statement: unavailable, worded plainly, nothing was written", async () => {
    const error = await adjustOnTerminatedConnection("GONE", true)
    // TypeORM has released the query runner by now; its wording ("query runner was already
    // released") is not what an operator should read.
    expect(error.message).toBe("The inventory database is unavailable (Connection lost: the database closed the connection); nothing was written")
  })

  it("a connection terminated under a one-statement write in autocommit: unavailable, the outcome unknown", async () => {
    const admin = new Client({ connectionString: db.url })
    await admin.connect()
    const svc = service()
    const item = await svc.createInventoryItem({ sku: "AUTO" })
    await svc.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
    try {
      // Every pooled session is terminated while the adjustment waits on a lock another session holds.
      await admin.query("BEGIN")
      await admin.query(`SELECT id FROM inventory_level WHERE inventory_item_id = $1 FOR UPDATE`, [item.id])
      const adjusting = svc.adjustInventory(item.id, "loc", 3).then(
        () => undefined,
        (error: unknown) => error as MedusaError
      )
      await new Promise((resolve) => setTimeout(resolve, 300))
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'`
      )
      const error = await adjusting
      await admin.query("ROLLBACK")
      expect(error?.type).toBe(MedusaError.Types.DB_ERROR)
      expect(error?.code).toBe(DATABASE_UNAVAILABLE)
      expect(error?.message).toMatch(/the change may or may not have been applied: check before retrying$/)
    } finally {
      await admin.end()
    }
  })
})
