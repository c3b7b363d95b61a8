import { MedusaError } from "@medusajs/utils"
import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, ReservationItem } from "../../src"
import InventoryService from "../../src/services/inventory"
import { setupTestDatabase, TestDatabase } from "../utils/database"
import { Pooler, sharedPgBouncer } from "../utils/pgbouncer"

/**
 * Behind PgBouncer in transaction mode (Debian's pgbouncer 1.18): consecutive transactions of
 * one client run on different server connections. Named prepared statements live in a server
 * session, so with `preparedStatements: true` they break there (42P05 "already exists", 26000
 * "does not exist"), and the error says so; by default the module names none and works. The
 * whole service, concurrency, race and property suites also run through it (the "pgbouncer"
 * jest project).
 */
describe("behind PgBouncer in transaction mode", () => {
  let db: TestDatabase
  let pooler: Pooler
  let dataSource: DataSource
  let itemId: string

  beforeAll(async () => {
    db = await setupTestDatabase("mit_pooler")
    pooler = await sharedPgBouncer()
    dataSource = new DataSource({
      type: "postgres",
      url: pooler.url(db.name),
      entities: [InventoryItem, InventoryLevel, ReservationItem],
      extra: { max: 20 },
    })
    await dataSource.initialize()
    const service = new InventoryService({ manager: dataSource.manager }, {})
    itemId = (await service.createInventoryItem({ sku: "POOLED" })).id
    await service.createInventoryLevels(
      ["a", "b"].map((location_id) => ({ inventory_item_id: itemId, location_id, stocked_quantity: 10 }))
    )
  })
  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy()
    await db?.close()
  })

  async function burst(options: { preparedStatements?: boolean }) {
    const service = new InventoryService({ manager: dataSource.manager }, options)
    const results = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        i % 2 ? service.retrieveAvailableQuantity(itemId, ["a", "b"]) : service.confirmInventory(itemId, ["a"], 3)
      )
    )
    return {
      ok: results.filter((r) => r.status === "fulfilled").length,
      errors: results.flatMap((r) => (r.status === "rejected" ? [r.reason as MedusaError] : [])),
    }
  }

  it("runs through the pooler: its admin console sees the module's clients", async () => {
    await burst({})
    const pools = await pooler.admin<{ database: string; pool_mode: string }>("SHOW POOLS")
    expect(pools.find((p) => p.database === db.name)).toMatchObject({ pool_mode: "transaction" })
  })

  it("by default (\"auto\": the pooler is seen, so nothing is named): 40 concurrent quantity reads all succeed", async () => {
    const { ok, errors } = await burst({})
    expect(errors.map((e) => e.message)).toEqual([])
    expect(ok).toBe(40)
  })

  it("with preparedStatements: true, the same burst fails, and each failure names its SQLSTATE", async () => {
    let failures: MedusaError[] = []
    // The server connections must first have seen the names: a few rounds make sure.
    for (let round = 0; round < 5 && !failures.length; round++) failures = (await burst({ preparedStatements: true })).errors
    expect(failures.length).toBeGreaterThan(0)
    for (const error of failures) {
      expect(error.type).toBe(MedusaError.Types.DB_ERROR)
      expect(error.message).toMatch(/^The inventory database failed to run the operation \(SQLSTATE (42P05|26000): prepared statement "mit_sum_available" (already exists|does not exist)\)$/)
    }
  })
})
