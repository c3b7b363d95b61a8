import { MedusaError } from "@medusajs/utils"
import type InventoryService from "../../src/services/inventory"
import { ledgerImbalance, setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError } from "../utils/errors"

/**
 * Cycle counts through the service (previewStockCount, applyStockCount) against PostgreSQL: the
 * diff, bad rows by line, compare-and-set against the diff's quantities, the file's hash as
 * idempotency key under 50 concurrent applies, and rollback. The CLI on real files is
 * integration-tests/correctness/count-cli.spec.ts.
 */
describe("cycle counts", () => {
  let db: TestDatabase
  let service: InventoryService
  let items: string[]

  beforeAll(async () => {
    db = await setupTestDatabase("mit_count", 20)
    service = db.service()
  })
  beforeEach(async () => {
    await db.truncate()
    items = []
    for (const sku of ["C-1", "C-2", "C-3"]) {
      const { id } = await service.createInventoryItem({ sku })
      items.push(id)
      await service.createInventoryLevel({ inventory_item_id: id, location_id: "loc_a", stocked_quantity: 10 })
    }
  })
  afterEach(async () => {
    expect(await ledgerImbalance(db)).toEqual([])
  })
  afterAll(async () => {
    await db.close()
  })

  const CSV = "sku,location_id,counted\nC-1,loc_a,12\nC-2,loc_a,10\n\nC-3,loc_a,7\n"
  const stocked = async () =>
    (await db.query(`SELECT stocked_quantity FROM inventory_level ORDER BY inventory_item_id`)).map((r: { stocked_quantity: number }) => r.stocked_quantity)

  it("previews the diff (line, current, counted, delta) and writes nothing", async () => {
    const diff = await service.previewStockCount(CSV)
    expect(diff.file_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(diff.rows.map(({ line, sku, location_id, current, counted, delta }) => ({ line, sku, location_id, current, counted, delta }))).toEqual([
      { line: 2, sku: "C-1", location_id: "loc_a", current: 10, counted: 12, delta: 2 },
      { line: 3, sku: "C-2", location_id: "loc_a", current: 10, counted: 10, delta: 0 },
      { line: 5, sku: "C-3", location_id: "loc_a", current: 10, counted: 7, delta: -3 },
    ])
    // By inventory_item_id as well.
    const byId = await service.previewStockCount(`inventory_item_id,location_id,counted\n${items[1]},loc_a,4\n`)
    expect(byId.rows).toEqual([{ line: 2, sku: "C-2", inventory_item_id: items[1], location_id: "loc_a", current: 10, counted: 4, delta: -6 }])
    expect(await stocked()).toEqual([10, 10, 10])
  })

  it("applies every row in one transaction with reason cycle_count; the same file again writes nothing", async () => {
    const diff = await service.previewStockCount(CSV)
    const expected = diff.rows.map((r) => r.current)
    db.eventBus.clear()
    const result = await service.applyStockCount(CSV, { expected, actor: "counter-1" })
    expect(result).toEqual({ file_hash: diff.file_hash, idempotency_key: `stock-count:${diff.file_hash}`, replayed: false, rows: 3, changed: 2 })
    expect(await stocked()).toEqual([12, 10, 7])
    const [movements] = await service.listInventoryMovements({ reason: "cycle_count" }, { order: { created_at: "ASC" } })
    expect(movements.map((m) => [m.stocked_delta, m.actor, m.idempotency_key])).toEqual([
      [2, "counter-1", result.idempotency_key],
      [-3, "counter-1", result.idempotency_key],
    ])
    expect(db.eventBus.names()).toEqual(["inventory-level.updated", "inventory-level.updated"])
    expect(await service.applyStockCount(CSV, { expected })).toMatchObject({ replayed: true, changed: 0 })
    // The same file against other quantities: its key was used for another request.
    await expectMedusaError(service.applyStockCount(CSV, { expected: [12, 10, 7] }), MedusaError.Types.CONFLICT, { contains: result.idempotency_key })
    expect(await stocked()).toEqual([12, 10, 7])
  })

  it("50 concurrent applies of one file apply it once", async () => {
    const expected = (await service.previewStockCount(CSV)).rows.map((r) => r.current)
    const results = await Promise.all(Array.from({ length: 50 }, () => service.applyStockCount(CSV, { expected })))
    expect(results.filter((r) => !r.replayed)).toHaveLength(1)
    expect(await stocked()).toEqual([12, 10, 7])
    const [, count] = await service.listInventoryMovements({ reason: "cycle_count" })
    expect(count).toBe(2)
  })

  it("a level changed since the diff is CONFLICT naming its row; nothing is written", async () => {
    const expected = (await service.previewStockCount(CSV)).rows.map((r) => r.current)
    await service.adjustInventory(items[2], "loc_a", -1) // a sale since the diff
    const error = await expectMedusaError(service.applyStockCount(CSV, { expected }), MedusaError.Types.CONFLICT, {
      exact: "The stock changed since the count's diff, nothing was written: line 5 (C-3 at loc_a): the diff showed 10, it is now 9. Make the diff again and check it.",
    })
    expect((error as unknown as { data: unknown }).data).toEqual({
      rows: [{ line: 5, sku: "C-3", inventory_item_id: items[2], location_id: "loc_a", expected: 10, current: 9 }],
    })
    expect(await stocked()).toEqual([10, 10, 9])
    // The key was not used up: the fresh diff applies.
    const fresh = (await service.previewStockCount(CSV)).rows.map((r) => r.current)
    expect(await service.applyStockCount(CSV, { expected: fresh })).toMatchObject({ replayed: false, changed: 2 })
  })

  it("bad rows are INVALID_DATA naming each line, and nothing is written", async () => {
    const bad =
      "sku,location_id,counted\n" +
      "C-1,loc_a,5\n" + // 2: fine
      "NOPE,loc_a,1\n" + // 3: unknown sku
      "C-2,loc_a,-1\n" + // 4: negative
      "C-2,loc_a,2.5\n" + // 5: not an integer
      "C-3,loc_z,1\n" + // 6: not stocked there
      "C-1,loc_a,6\n" + // 7: the level of line 2 again
      "C-3,,4\n" // 8: no location
    const error = await expectMedusaError(service.applyStockCount(bad, { expected: [10] }), MedusaError.Types.INVALID_DATA)
    const errors = (error as unknown as { data: { errors: { line: number; message: string }[] } }).data.errors
    // Rows wrong in themselves are found first; the rest once those are fixed.
    expect(errors).toEqual([
      { line: 4, message: `"counted" must be a non-negative integer (got "-1")` },
      { line: 5, message: `"counted" must be a non-negative integer (got "2.5")` },
      { line: 8, message: `"location_id" is missing` },
    ])
    const resolved = "sku,location_id,counted\nC-1,loc_a,5\nNOPE,loc_a,1\nC-3,loc_z,1\nC-1,loc_a,6\n"
    await expectMedusaError(service.previewStockCount(resolved), MedusaError.Types.INVALID_DATA, {
      exact:
        'The count file has 3 bad row(s), nothing was written: line 3: unknown sku "NOPE"; line 4: item C-3 is not stocked at location loc_z; ' +
        "line 5: counts the level of line 2 again (C-1 at loc_a)",
    })
    await expectMedusaError(service.previewStockCount("sku,counted\nC-1,4\n"), MedusaError.Types.INVALID_DATA, {
      contains: "line 1: the header lacks the column(s) location_id",
    })
    await expectMedusaError(service.previewStockCount('sku,location_id,counted\nC-1,"loc_a,4\n'), MedusaError.Types.INVALID_DATA, { contains: "line 2: not a readable CSV row" })
    await expectMedusaError(service.previewStockCount(42 as never), MedusaError.Types.INVALID_DATA, { exact: `"csv" must be the CSV text of the count (got 42)` })
    await expectMedusaError(service.applyStockCount(CSV, { expected: [10] }), MedusaError.Types.INVALID_DATA, { contains: `"options.expected" has 1 quantities for the count's 3 row(s)` })
    await expectMedusaError(service.applyStockCount(CSV, { expected: [10, -1, 10] }), MedusaError.Types.INVALID_DATA, { contains: `"options.expected.1" must not be negative` })
    expect(await stocked()).toEqual([10, 10, 10])
    const [, movements] = await service.listInventoryMovements({ reason: "cycle_count" })
    expect(movements).toBe(0)
  })

  it("rolls back with the caller's transaction", async () => {
    const expected = (await service.previewStockCount(CSV)).rows.map((r) => r.current)
    await expect(
      db.dataSource.transaction(async (manager) => {
        await service.applyStockCount(CSV, { expected }, { transactionManager: manager })
        throw new Error("the caller fails")
      })
    ).rejects.toThrow("the caller fails")
    expect(await stocked()).toEqual([10, 10, 10])
    expect(await service.applyStockCount(CSV, { expected })).toMatchObject({ replayed: false })
  })
})
