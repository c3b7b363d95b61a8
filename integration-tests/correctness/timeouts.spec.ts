import { MedusaError } from "@medusajs/utils"
import { Client } from "pg"
import { setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError } from "../utils/errors"

/**
 * `lockTimeoutMs` and `statementTimeoutMs`: set per transaction with SET LOCAL (so nothing
 * outlives the transaction, as a pooler needs), a call stuck on a row lock that another
 * session holds answers CONFLICT and writes nothing, and a caller's own settings survive.
 */
describe("per-transaction timeouts", () => {
  let db: TestDatabase
  let holder: Client
  let itemId: string

  beforeAll(async () => {
    db = await setupTestDatabase("mit_timeouts")
  })
  afterAll(async () => {
    await db.close()
  })

  beforeEach(async () => {
    await db.truncate()
    const service = db.service()
    const item = await service.createInventoryItem({ sku: "LOCKED" })
    itemId = item.id
    await service.createInventoryLevel({ inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 10 })
    holder = new Client({ connectionString: db.url })
    await holder.connect()
  })
  afterEach(async () => {
    await holder.end()
  })

  /** Another session takes the level's row lock and keeps it until `release`. */
  async function holdLevelLock(): Promise<() => Promise<void>> {
    await holder.query("BEGIN")
    await holder.query(`SELECT id FROM inventory_level WHERE inventory_item_id = $1 FOR UPDATE`, [itemId])
    return async () => {
      await holder.query("ROLLBACK")
    }
  }

  const stocked = async () =>
    (await db.query(`SELECT stocked_quantity FROM inventory_level WHERE inventory_item_id = $1`, [itemId]))[0].stocked_quantity

  it("lockTimeoutMs: a call stuck on a row lock answers CONFLICT, writes nothing, and succeeds once the lock is gone", async () => {
    const service = db.service({ lockTimeoutMs: 200 })
    const release = await holdLevelLock()
    const error = await expectMedusaError(service.adjustInventory(itemId, "loc_1", 5), MedusaError.Types.CONFLICT, {
      contains: "SQLSTATE 55P03",
    })
    expect(error.message).toContain("nothing was written")
    expect((error as Error & { cause?: { code?: string } }).cause?.code).toBe("55P03")
    // A reservation waits on the same lock.
    await expectMedusaError(
      service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 1 }),
      MedusaError.Types.CONFLICT
    )
    await release()
    expect(await stocked()).toBe(10)
    expect((await service.adjustInventory(itemId, "loc_1", 5)).stocked_quantity).toBe(15)
    expect(db.eventBus.names().filter((n) => n !== "inventory-item.created" && n !== "inventory-level.created")).toEqual([
      "inventory-level.updated",
    ])
  })

  it("statementTimeoutMs: a statement that runs too long is cancelled with CONFLICT", async () => {
    const service = db.service({ statementTimeoutMs: 300 })
    const release = await holdLevelLock()
    await expectMedusaError(
      service.updateInventoryLevels([{ inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 99 }]),
      MedusaError.Types.CONFLICT,
      { contains: "SQLSTATE 57014" }
    )
    await release()
    expect(await stocked()).toBe(10)
  })

  it("callTimeoutMs: a single statement stuck past it answers 'unavailable, may or may not' in time, and that is the truth", async () => {
    const service = db.service({ callTimeoutMs: 300 })
    const release = await holdLevelLock()
    const started = Date.now()
    const error = await expectMedusaError(service.adjustInventory(itemId, "loc_1", 5), MedusaError.Types.DB_ERROR, {
      contains: "no answer within 300 ms, callTimeoutMs",
    })
    expect(Date.now() - started).toBeLessThan(1300)
    expect(error.code).toBe("inventory_database_unavailable")
    // The statement had gone out in autocommit: the server runs it once the lock is free.
    expect(error.message).toContain("may or may not have been applied")
    await release()
    for (let i = 0; i < 50 && (await stocked()) === 10; i++) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(await stocked()).toBe(15)
    // The connection it was on was closed, not handed out again: the next calls work.
    expect((await service.adjustInventory(itemId, "loc_1", 1)).stocked_quantity).toBe(16)
    expect(db.eventBus.names().filter((n) => n === "inventory-level.updated")).toHaveLength(1)
  })

  it("callTimeoutMs: a transaction stuck past it answers 'nothing was written', and nothing is", async () => {
    const service = db.service({ callTimeoutMs: 300 })
    const release = await holdLevelLock()
    const error = await expectMedusaError(
      service.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", delta: 5 }], { reference: "late", idempotency_key: "late-1" }),
      MedusaError.Types.DB_ERROR,
      { contains: "no answer within 300 ms" }
    )
    expect(error.message).toContain("nothing was written")
    await release()
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(await stocked()).toBe(10)
    expect(await db.query(`SELECT * FROM inventory_movement WHERE reference = 'late'`)).toEqual([])
    // Its idempotency key was never claimed: the same call now applies, once.
    await service.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", delta: 5 }], { reference: "late", idempotency_key: "late-1" })
    await service.adjustStockedQuantities([{ inventory_item_id: itemId, location_id: "loc_1", delta: 5 }], { reference: "late", idempotency_key: "late-1" })
    expect(await stocked()).toBe(15)
  })

  it("callTimeoutMs does not apply inside a caller's transaction (the caller bounds its own)", async () => {
    const service = db.service({ callTimeoutMs: 200 })
    const release = await holdLevelLock()
    const adjusting = db.dataSource.transaction((manager) => service.adjustInventory(itemId, "loc_1", 1, { transactionManager: manager }))
    await new Promise((resolve) => setTimeout(resolve, 500))
    await release()
    expect((await adjusting).stocked_quantity).toBe(11)
  })

  it("without the options, a call waits for the lock (the server's defaults)", async () => {
    const service = db.service()
    const release = await holdLevelLock()
    const adjusting = service.adjustInventory(itemId, "loc_1", 1)
    await new Promise((resolve) => setTimeout(resolve, 400))
    await release()
    expect((await adjusting).stocked_quantity).toBe(11)
  })

  it("the settings end with the module's transaction: the pool's sessions keep the server's", async () => {
    const service = db.service({ lockTimeoutMs: 250, statementTimeoutMs: 5000 })
    await Promise.all(Array.from({ length: 20 }, () => service.adjustInventory(itemId, "loc_1", 1)))
    const sessions = await Promise.all(
      Array.from({ length: 10 }, () =>
        db.query(
          `SELECT current_setting('lock_timeout') AS lock, current_setting('statement_timeout') AS statement,
                  current_setting('idle_in_transaction_session_timeout') AS idle`
        )
      )
    )
    for (const [row] of sessions) expect(row).toEqual({ lock: "0", statement: "0", idle: "0" })
  })

  it("in a caller's transaction, the caller's own settings are back after the call", async () => {
    const service = db.service({ lockTimeoutMs: 250, statementTimeoutMs: 4000 })
    const settings = await db.dataSource.transaction(async (manager) => {
      await manager.query(`SET LOCAL lock_timeout = '7s'`)
      const during: { lock: string }[] = []
      const level = await service.adjustInventory(itemId, "loc_1", 2, { transactionManager: manager })
      during.push(...(await manager.query(`SELECT current_setting('lock_timeout') AS lock`)))
      return { level, after: during[0], statement: (await manager.query(`SELECT current_setting('statement_timeout') AS s`))[0].s }
    })
    expect(settings.level.stocked_quantity).toBe(12)
    expect(settings.after).toEqual({ lock: "7s" })
    expect(settings.statement).toBe("0")
  })

  it("in a caller's transaction, a lock wait past lockTimeoutMs is CONFLICT and the caller's transaction is aborted", async () => {
    const service = db.service({ lockTimeoutMs: 150 })
    const release = await holdLevelLock()
    const outcome = await db.dataSource
      .transaction(async (manager) => {
        await service.adjustInventory(itemId, "loc_1", 2, { transactionManager: manager })
      })
      .then(
        () => "committed",
        (error: MedusaError) => error.type
      )
    await release()
    expect(outcome).toBe(MedusaError.Types.CONFLICT)
    expect(await stocked()).toBe(10)
  })
})
