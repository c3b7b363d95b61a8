import { MedusaError } from "@medusajs/utils"
import { createFunctionSql, functionChecksum, parameterTypes, ServerFunction } from "../../src/db/server-functions"
import { SERVER_FUNCTIONS } from "../../src/stock/functions"
import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, InventoryMovement, ReservationItem } from "../../src"
import InventoryService from "../../src/services/inventory"
import { setupTestDatabase, TestDatabase } from "../utils/database"

/**
 * A checkout's availability check and reservation run as PL/pgSQL functions that the
 * migrations create (src/db/server-functions.ts): planned once per connection, also behind
 * PgBouncer. The whole service suite runs through them; this suite pins what they are.
 */
describe("server functions", () => {
  let db: TestDatabase
  beforeAll(async () => {
    db = await setupTestDatabase("mit_fns")
  })
  afterAll(async () => {
    await db.close()
  })

  it("each definition is pinned: a changed statement needs a new function version and a migration", () => {
    // If this fails, the SQL behind a server function changed. Databases already migrated keep
    // the old body under the old name, so: bump the version in the function's name (…_v2),
    // add a migration that creates it (see migrations/1796256000000-server-functions-v2.ts), and
    // pin the new checksum here.
    expect(Object.fromEntries(SERVER_FUNCTIONS.map((fn) => [fn.name, functionChecksum(fn)]))).toEqual({
      inventory_sum_available_v2: "b902ba43cca6ab32",
      inventory_sum_stocked_v2: "a5fd5bf87326aaa3",
      inventory_sum_reserved_v2: "7e0a0c9f5287e8ff",
      inventory_reserve_one_v2: "aacfb2b1d89fa99d",
    })
  })

  it("the migrations created exactly the functions the code calls, with the code's bodies", async () => {
    for (const fn of SERVER_FUNCTIONS) {
      const [row] = await db.query(
        `SELECT p.prosrc, pg_get_function_identity_arguments(p.oid) AS args, l.lanname
           FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang WHERE p.proname = $1`,
        [fn.name]
      )
      expect(row).toBeDefined()
      expect(row.lanname).toBe("plpgsql")
      expect(createFunctionSql(fn)).toContain(row.prosrc.trim())
      expect(row.args.split(", ").length).toBe(parameterTypes(fn.sql).length)
    }
  })

  it("the checkout path calls them where statements are not named: without the reservation function it fails, saying to run the migrations, and writes nothing", async () => {
    await db.truncate()
    // preparedStatements: false is what the default does behind a pooler (see the next test).
    const service = db.service({ preparedStatements: false })
    const item = await service.createInventoryItem({ sku: "FN" })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
    const reserve = SERVER_FUNCTIONS.find((fn) => fn.name === "inventory_reserve_one_v2")!
    const available = SERVER_FUNCTIONS.find((fn) => fn.name === "inventory_sum_available_v2")!
    try {
      await db.query(`DROP FUNCTION ${reserve.name}(${parameterTypes(reserve.sql).join(", ")})`)
      await db.query(`DROP FUNCTION ${available.name}(${parameterTypes(available.sql).join(", ")})`)
      for (const call of [
        () => service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 1 }),
        () => service.confirmInventory(item.id, ["loc"], 1),
      ]) {
        const error = (await call().catch((e: unknown) => e)) as MedusaError
        expect(error.type).toBe(MedusaError.Types.DB_ERROR)
        expect(error.message).toMatch(/SQLSTATE 42883: function inventory_(reserve_one|sum_available)_v2\(.*\) does not exist/)
        expect(error.message).toMatch(/run its migrations \(`medusa migrations run`\)$/)
      }
      expect(await service.listReservationItems({})).toEqual([[], 0])
    } finally {
      await db.query(createFunctionSql(reserve))
      await db.query(createFunctionSql(available))
    }
    const reservation = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 })
    expect(reservation).toMatchObject({ quantity: 2, location_id: "loc" })
    expect(await service.confirmInventory(item.id, ["loc"], 3)).toBe(true)
    expect(await service.confirmInventory(item.id, ["loc"], 4)).toBe(false)
  })

  it('by default ("auto"), a direct connection names the statements the functions wrap and runs them itself, planned once per connection', async () => {
    await db.truncate()
    const dataSource = new DataSource({ type: "postgres", url: db.url, entities: [InventoryItem, InventoryLevel, ReservationItem, InventoryMovement], extra: { max: 1 } })
    await dataSource.initialize()
    try {
      const service = new InventoryService({ manager: dataSource.manager }, {})
      const item = await service.createInventoryItem({ sku: "AUTO" })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 5 })
      await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 2 })
      expect(await service.confirmInventory(item.id, ["loc"], 3)).toBe(true)
      // One pooled connection: the prepared statements listed are the module's on it.
      const named = (await dataSource.query(`SELECT name, statement FROM pg_prepared_statements ORDER BY name`)) as { name: string; statement: string }[]
      expect(named.map((n) => n.name)).toEqual(expect.arrayContaining(["mit_reserve_one", "mit_sum_available"]))
      expect(named.find((n) => n.name === "mit_sum_available")!.statement).not.toMatch(/inventory_sum_available_v2/)
      // With preparedStatements: false the same calls name nothing and call the functions.
      await dataSource.query(`DEALLOCATE ALL`)
      const unnamed = new InventoryService({ manager: dataSource.manager }, { preparedStatements: false })
      expect(await unnamed.confirmInventory(item.id, ["loc"], 4)).toBe(false)
      expect(await dataSource.query(`SELECT name FROM pg_prepared_statements`)).toEqual([])
    } finally {
      await dataSource.destroy()
    }
  })

  it("a statement whose parameters are not all cast, or cast two ways, cannot become a function", () => {
    const make = (sql: string): ServerFunction => ({ name: "x_v1", sql, returns: [["n", "int"]] })
    expect(() => createFunctionSql(make("SELECT $1::int + $2"))).toThrow(/\$2 has no cast/)
    expect(() => createFunctionSql(make("SELECT $1::int + $1::bigint"))).toThrow(/\$1 is cast to int and bigint/)
    expect(() => createFunctionSql(make("SELECT $2::int"))).toThrow(/not numbered/)
    expect(parameterTypes("SELECT $1::text = ANY($2::text[]) AND $1::text <> ''")).toEqual(["text", "text[]"])
  })
})
