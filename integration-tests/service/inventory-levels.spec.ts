import type {
  BulkUpdateInventoryLevelInput,
  CreateInventoryLevelInput,
  InventoryLevelDTO,
  UpdateInventoryLevelInput,
} from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import { INT_MAX, INT_MIN } from "../../src/utils/validation"
import { reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError, LEVEL_TAKEN, medusaApiDuplicateMessage, rejectionOf } from "../utils/errors"

/**
 * Inventory levels of the InventoryService (IInventoryService of @medusajs/types 1.11),
 * against a real PostgreSQL database. Every check of "nothing written" reads the table.
 */


type Service = ReturnType<TestDatabase["service"]>

interface LevelRow {
  id: string
  inventory_item_id: string
  location_id: string
  stocked_quantity: number
  reserved_quantity: number
  incoming_quantity: number
  metadata: Record<string, unknown> | null
  deleted_at: Date | null
}





describe("InventoryService: inventory levels", () => {
  let db: TestDatabase
  let service: Service

  beforeAll(async () => {
    db = await setupTestDatabase("mit", 20)
    service = db.service()
  })

  afterEach(async () => {
    await db.truncate()
  })

  afterAll(async () => {
    await db.close()
  })

  // ------------------------------------------------------------------ helpers

  async function makeItem(sku?: string): Promise<string> {
    const item = await service.createInventoryItem({ sku: sku ?? null, title: sku ?? "item" })
    return item.id
  }

  async function makeLevel(
    itemId: string,
    locationId: string,
    stocked: number,
    extra: Partial<CreateInventoryLevelInput> = {}
  ): Promise<InventoryLevelDTO> {
    return await service.createInventoryLevel({
      inventory_item_id: itemId,
      location_id: locationId,
      stocked_quantity: stocked,
      ...extra,
    })
  }

  /** All rows (live and deleted) of the level table, in a stable order. */
  async function allLevelRows(): Promise<LevelRow[]> {
    return await db.query<LevelRow>(
      `SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity,
              metadata, deleted_at
         FROM inventory_level ORDER BY inventory_item_id, location_id, created_at, id`
    )
  }

  async function liveLevelRow(itemId: string, locationId: string): Promise<LevelRow | undefined> {
    const [row] = await db.query<LevelRow>(
      `SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity,
              metadata, deleted_at
         FROM inventory_level WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`,
      [itemId, locationId]
    )
    return row
  }

  async function levelCount(): Promise<number> {
    const [row] = await db.query<{ count: string }>(`SELECT count(*) AS count FROM inventory_level`)
    return Number(row.count)
  }

  /** (location, stocked, reserved, incoming) of every live level of an item, by location. */
  async function quantitiesOf(itemId: string): Promise<[string, number, number, number][]> {
    const rows = await db.query<LevelRow>(
      `SELECT location_id, stocked_quantity, reserved_quantity, incoming_quantity FROM inventory_level
        WHERE inventory_item_id = $1 AND deleted_at IS NULL ORDER BY location_id`,
      [itemId]
    )
    return rows.map((r) => [r.location_id, r.stocked_quantity, r.reserved_quantity, r.incoming_quantity])
  }

  // ------------------------------------------------------------------ create

  describe("createInventoryLevel / createInventoryLevels", () => {
    it("stores and returns every given field", async () => {
      const itemId = await makeItem("SKU-1")
      db.eventBus.clear()

      const level = await service.createInventoryLevel({
        inventory_item_id: itemId,
        location_id: "loc_1",
        stocked_quantity: 10,
        reserved_quantity: 2,
        incoming_quantity: 5,
        metadata: { shelf: "A3" },
      } as CreateInventoryLevelInput)

      expect(level.id).toMatch(/^ilev_/)
      expect(level).toMatchObject({
        inventory_item_id: itemId,
        location_id: "loc_1",
        stocked_quantity: 10,
        reserved_quantity: 2,
        incoming_quantity: 5,
        metadata: { shelf: "A3" },
        deleted_at: null,
      })
      expect(level.created_at).toBeTruthy()
      expect(level.updated_at).toBeTruthy()

      const rows = await allLevelRows()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({
        id: level.id,
        inventory_item_id: itemId,
        location_id: "loc_1",
        stocked_quantity: 10,
        reserved_quantity: 2,
        incoming_quantity: 5,
        metadata: { shelf: "A3" },
        deleted_at: null,
      })
      expect(db.eventBus.events).toEqual([{ name: "inventory-level.created", data: { ids: [level.id] } }])
    })

    it("defaults stocked, reserved and incoming quantities to 0 when omitted", async () => {
      const itemId = await makeItem()
      const level = await service.createInventoryLevel({
        inventory_item_id: itemId,
        location_id: "loc_1",
      } as CreateInventoryLevelInput)

      expect(level.id).toMatch(/^ilev_/)
      expect(level.stocked_quantity).toBe(0)
      expect(level.reserved_quantity).toBe(0)
      expect(level.incoming_quantity).toBe(0)
      expect(await liveLevelRow(itemId, "loc_1")).toMatchObject({
        id: level.id,
        stocked_quantity: 0,
        reserved_quantity: 0,
        incoming_quantity: 0,
      })
    })

    it("creates levels in bulk, returned in input order, with one created event", async () => {
      const itemA = await makeItem("A")
      const itemB = await makeItem("B")
      db.eventBus.clear()

      const input: CreateInventoryLevelInput[] = [
        { inventory_item_id: itemB, location_id: "loc_9", stocked_quantity: 3 },
        { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 1, incoming_quantity: 4 },
        { inventory_item_id: itemA, location_id: "loc_5", stocked_quantity: 2 },
        { inventory_item_id: itemB, location_id: "loc_0", stocked_quantity: 0, reserved_quantity: 7 },
      ]
      const levels = await service.createInventoryLevels(input)

      expect(levels).toHaveLength(4)
      expect(levels.map((l) => [l.inventory_item_id, l.location_id, l.stocked_quantity])).toEqual(
        input.map((i) => [i.inventory_item_id, i.location_id, i.stocked_quantity])
      )
      expect(levels[1].incoming_quantity).toBe(4)
      expect(levels[3].reserved_quantity).toBe(7)
      for (const level of levels) expect(level.id).toMatch(/^ilev_/)
      expect(new Set(levels.map((l) => l.id)).size).toBe(4)

      expect(await levelCount()).toBe(4)
      expect(await quantitiesOf(itemA)).toEqual([
        ["loc_1", 1, 0, 4],
        ["loc_5", 2, 0, 0],
      ])
      expect(await quantitiesOf(itemB)).toEqual([
        ["loc_0", 0, 7, 0],
        ["loc_9", 3, 0, 0],
      ])
      expect(db.eventBus.events).toEqual([
        { name: "inventory-level.created", data: { ids: levels.map((l) => l.id) } },
      ])
    })

    it("returns [] and writes nothing for an empty bulk", async () => {
      expect(await service.createInventoryLevels([])).toEqual([])
      expect(await levelCount()).toBe(0)
    })

    it("rejects a second live level for the same item and location with DUPLICATE_ERROR", async () => {
      const itemId = await makeItem()
      const first = await makeLevel(itemId, "loc_1", 10)
      db.eventBus.clear()

      const error = await expectMedusaError(makeLevel(itemId, "loc_1", 99), MedusaError.Types.DUPLICATE_ERROR, { exact: LEVEL_TAKEN })
      expect(medusaApiDuplicateMessage(error)).toBe(`Inventory_level with inventory_item_id, location_id ${itemId}, loc_1 already exists.`)

      const rows = await allLevelRows()
      expect(rows).toHaveLength(1)
      expect(rows[0]).toMatchObject({ id: first.id, stocked_quantity: 10 })
      expect(db.eventBus.events).toEqual([])
    })

    it("writes nothing when a bulk call contains a duplicate of an existing level", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      db.eventBus.clear()

      await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_2", stocked_quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 2 },
          { inventory_item_id: itemId, location_id: "loc_3", stocked_quantity: 3 },
        ]),
        MedusaError.Types.DUPLICATE_ERROR
      )

      expect(await quantitiesOf(itemId)).toEqual([["loc_1", 10, 0, 0]])
      expect(await levelCount()).toBe(1)
      expect(db.eventBus.events).toEqual([])
    })

    it("writes nothing when a bulk call repeats the same item and location", async () => {
      const itemId = await makeItem()
      await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 2 },
        ]),
        MedusaError.Types.DUPLICATE_ERROR
      )
      expect(await levelCount()).toBe(0)
    })

    it("creates a level again after the previous one was deleted", async () => {
      const itemId = await makeItem()
      const first = await makeLevel(itemId, "loc_1", 10)
      await service.deleteInventoryLevel(itemId, "loc_1")

      const second = await makeLevel(itemId, "loc_1", 4)
      expect(second.id).not.toBe(first.id)
      expect(second.stocked_quantity).toBe(4)

      const retrieved = await service.retrieveInventoryLevel(itemId, "loc_1")
      expect(retrieved.id).toBe(second.id)

      const rows = await allLevelRows()
      expect(rows).toHaveLength(2)
      expect(rows.find((r) => r.id === first.id)?.deleted_at).not.toBeNull()
      expect(rows.find((r) => r.id === second.id)?.deleted_at).toBeNull()

      // and still only one live level per pair
      await expectMedusaError(makeLevel(itemId, "loc_1", 1), MedusaError.Types.DUPLICATE_ERROR)
    })

    it("rejects a level for an unknown inventory item with NOT_FOUND and writes nothing", async () => {
      db.eventBus.clear()
      const error = await expectMedusaError(
        makeLevel("iitem_missing", "loc_1", 1),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toContain("iitem_missing")
      expect(await levelCount()).toBe(0)
      expect(db.eventBus.events).toEqual([])
    })

    it("writes nothing when one level of a bulk call names an unknown item", async () => {
      const itemId = await makeItem()
      const error = await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: "iitem_missing", location_id: "loc_1", stocked_quantity: 2 },
          { inventory_item_id: itemId, location_id: "loc_2", stocked_quantity: 3 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toContain("iitem_missing")
      expect(error.message).not.toContain(itemId)
      expect(await levelCount()).toBe(0)
    })

    it("names each level whose item is unknown, in input order, repeats kept", async () => {
      const itemId = await makeItem()
      const error = await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: "iitem_b", location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: "iitem_a", location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: "iitem_b", location_id: "loc_2", stocked_quantity: 1 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toBe(
        "InventoryItem with id iitem_b was not found, InventoryItem with id iitem_a was not found, " +
          "InventoryItem with id iitem_b was not found"
      )
      expect(await levelCount()).toBe(0)
    })

    it("rejects a level for a deleted inventory item with NOT_FOUND and writes nothing", async () => {
      const itemId = await makeItem()
      await service.deleteInventoryItem(itemId)

      await expectMedusaError(makeLevel(itemId, "loc_1", 1), MedusaError.Types.NOT_FOUND)
      const live = await makeItem()
      await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: live, location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 1 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(await levelCount()).toBe(0)
    })

    const invalidCases: [string, Record<string, unknown>, string][] = [
      ["an empty location_id", { location_id: "" }, "location_id"],
      ["an empty inventory_item_id", { inventory_item_id: "" }, "inventory_item_id"],
      ["a fractional stocked_quantity", { stocked_quantity: 1.5 }, "stocked_quantity"],
      ["a string stocked_quantity", { stocked_quantity: "5" }, "stocked_quantity"],
      ["a null stocked_quantity", { stocked_quantity: null }, "stocked_quantity"],
      ["a negative incoming_quantity", { incoming_quantity: -1 }, "incoming_quantity"],
      ["a negative reserved_quantity", { reserved_quantity: -1 }, "reserved_quantity"],
      ["a stocked_quantity above the integer range", { stocked_quantity: INT_MAX + 1 }, "stocked_quantity"],
      ["an unknown field", { warehouse: "north" }, "warehouse"],
    ]

    it.each(invalidCases)("rejects %s with INVALID_DATA naming the field", async (_label, patch, field) => {
      const itemId = await makeItem()
      db.eventBus.clear()
      const input = { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 1, ...patch } as any

      const single = await expectMedusaError(service.createInventoryLevel(input), MedusaError.Types.INVALID_DATA)
      expect(single.message).toContain(field)

      const bulk = await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_ok", stocked_quantity: 1 },
          input,
        ]),
        MedusaError.Types.INVALID_DATA
      )
      expect(bulk.message).toContain(field)

      expect(await levelCount()).toBe(0)
      expect(db.eventBus.events).toEqual([])
    })

    it("rejects null input with INVALID_DATA naming the argument", async () => {
      const itemId = await makeItem()
      const single = await expectMedusaError(service.createInventoryLevel(null as any), MedusaError.Types.INVALID_DATA)
      expect(single.message).toContain("data")
      const bulkNull = await expectMedusaError(service.createInventoryLevels(null as any), MedusaError.Types.INVALID_DATA)
      expect(bulkNull.message).toContain("data")
      const bulkEntry = await expectMedusaError(
        service.createInventoryLevels([
          { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 1 },
          null as any,
        ]),
        MedusaError.Types.INVALID_DATA
      )
      expect(bulkEntry.message).toContain("data")
      expect(await levelCount()).toBe(0)
    })
  })

  // ------------------------------------------------------------------ retrieve

  describe("retrieveInventoryLevel", () => {
    it("returns the live level of an item at a location", async () => {
      const itemId = await makeItem()
      const created = await makeLevel(itemId, "loc_1", 10, { incoming_quantity: 2 })
      await makeLevel(itemId, "loc_2", 20)

      const level = await service.retrieveInventoryLevel(itemId, "loc_1")
      expect(level).toMatchObject({
        id: created.id,
        inventory_item_id: itemId,
        location_id: "loc_1",
        stocked_quantity: 10,
        reserved_quantity: 0,
        incoming_quantity: 2,
        deleted_at: null,
      })
    })

    it("throws NOT_FOUND with the item and location in the message", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)

      await expectMedusaError(
        service.retrieveInventoryLevel(itemId, "loc_2"),
        MedusaError.Types.NOT_FOUND,
        { exact: `Inventory level for item ${itemId} and location loc_2 not found` }
      )
      await expectMedusaError(
        service.retrieveInventoryLevel("iitem_missing", "loc_1"),
        MedusaError.Types.NOT_FOUND,
        { exact: "Inventory level for item iitem_missing and location loc_1 not found" }
      )
    })

    it("does not find a deleted level", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      await service.deleteInventoryLevel(itemId, "loc_1")

      await expectMedusaError(
        service.retrieveInventoryLevel(itemId, "loc_1"),
        MedusaError.Types.NOT_FOUND,
        { exact: `Inventory level for item ${itemId} and location loc_1 not found` }
      )
    })
  })

  // ------------------------------------------------------------------ list

  describe("listInventoryLevels", () => {
    let itemA: string
    let itemB: string
    let levels: Record<string, InventoryLevelDTO>

    beforeEach(async () => {
      itemA = await makeItem("LIST-A")
      itemB = await makeItem("LIST-B")
      levels = {
        a1: await makeLevel(itemA, "loc_1", 10),
        a2: await makeLevel(itemA, "loc_2", 20, { incoming_quantity: 5 }),
        b1: await makeLevel(itemB, "loc_1", 30, { reserved_quantity: 3 }),
        b3: await makeLevel(itemB, "loc_3", 5, { incoming_quantity: 1, reserved_quantity: 1 }),
      }
    })

    const ids = (rows: InventoryLevelDTO[]) => rows.map((r) => r.id).sort()
    const keys = (...names: string[]) => names.map((n) => levels[n].id).sort()

    it("takes every argument as optional: listInventoryLevels() is { } with take 10", async () => {
      const [rows, count] = await service.listInventoryLevels()
      expect(count).toBe(4)
      expect(ids(rows)).toEqual(keys("a1", "a2", "b1", "b3"))
      const [again] = await service.listInventoryLevels(undefined, undefined, undefined)
      expect(ids(again)).toEqual(ids(rows))
      expect(await service.listInventoryLevels({ location_id: "" })).toEqual([[], 0])
      expect(await service.listInventoryLevels({ inventory_item_id: ["", ""] })).toEqual([[], 0])
    })

    it("answers take: 0 with no rows and the full count, as the official module does", async () => {
      expect(await service.listInventoryLevels({}, { take: 0 })).toEqual([[], 4])
      expect(await service.listInventoryLevels({ location_id: "loc_1" }, { take: 0, skip: 0 })).toEqual([[], 2])
    })

    it("returns [rows, count]", async () => {
      const [rows, count] = await service.listInventoryLevels({})
      expect(count).toBe(4)
      expect(ids(rows)).toEqual(keys("a1", "a2", "b1", "b3"))
      const a2 = rows.find((r) => r.id === levels.a2.id)!
      expect(a2).toMatchObject({
        inventory_item_id: itemA,
        location_id: "loc_2",
        stocked_quantity: 20,
        reserved_quantity: 0,
        incoming_quantity: 5,
      })
    })

    it("takes 10 rows by default and counts all of them", async () => {
      const itemC = await makeItem("LIST-C")
      await service.createInventoryLevels(
        Array.from({ length: 10 }, (_, i) => ({ inventory_item_id: itemC, location_id: `loc_c${i}`, stocked_quantity: i }))
      )
      const [rows, count] = await service.listInventoryLevels({})
      expect(count).toBe(14)
      expect(rows).toHaveLength(10)
    })

    it("filters by inventory_item_id as a string or an array", async () => {
      const [byString, countString] = await service.listInventoryLevels({ inventory_item_id: itemB })
      expect(countString).toBe(2)
      expect(ids(byString)).toEqual(keys("b1", "b3"))

      const [byArray, countArray] = await service.listInventoryLevels({ inventory_item_id: [itemA, itemB] })
      expect(countArray).toBe(4)
      expect(ids(byArray)).toEqual(keys("a1", "a2", "b1", "b3"))

      const [none, countNone] = await service.listInventoryLevels({ inventory_item_id: "iitem_missing" })
      expect(countNone).toBe(0)
      expect(none).toEqual([])
    })

    it("filters by location_id as a string or an array", async () => {
      const [byString, countString] = await service.listInventoryLevels({ location_id: "loc_1" })
      expect(countString).toBe(2)
      expect(ids(byString)).toEqual(keys("a1", "b1"))

      const [byArray, countArray] = await service.listInventoryLevels({ location_id: ["loc_2", "loc_3"] })
      expect(countArray).toBe(2)
      expect(ids(byArray)).toEqual(keys("a2", "b3"))

      const [combined] = await service.listInventoryLevels({ location_id: "loc_1", inventory_item_id: itemA })
      expect(ids(combined)).toEqual(keys("a1"))
    })

    it("filters by stocked_quantity as a number and with lt/gt/lte/gte", async () => {
      expect(ids((await service.listInventoryLevels({ stocked_quantity: 20 }))[0])).toEqual(keys("a2"))
      expect(ids((await service.listInventoryLevels({ stocked_quantity: { lt: 20 } }))[0])).toEqual(keys("a1", "b3"))
      expect(ids((await service.listInventoryLevels({ stocked_quantity: { lte: 20 } }))[0])).toEqual(
        keys("a1", "a2", "b3")
      )
      expect(ids((await service.listInventoryLevels({ stocked_quantity: { gt: 10 } }))[0])).toEqual(keys("a2", "b1"))
      expect(ids((await service.listInventoryLevels({ stocked_quantity: { gte: 10 } }))[0])).toEqual(
        keys("a1", "a2", "b1")
      )
      const [range, count] = await service.listInventoryLevels({ stocked_quantity: { gte: 10, lt: 30 } })
      expect(count).toBe(2)
      expect(ids(range)).toEqual(keys("a1", "a2"))
    })

    it("filters by reserved_quantity as a number and with lt/gt/lte/gte", async () => {
      expect(ids((await service.listInventoryLevels({ reserved_quantity: 0 }))[0])).toEqual(keys("a1", "a2"))
      expect(ids((await service.listInventoryLevels({ reserved_quantity: { gt: 0 } }))[0])).toEqual(keys("b1", "b3"))
      expect(ids((await service.listInventoryLevels({ reserved_quantity: { gte: 3 } }))[0])).toEqual(keys("b1"))
      expect(ids((await service.listInventoryLevels({ reserved_quantity: { lt: 3 } }))[0])).toEqual(
        keys("a1", "a2", "b3")
      )
      expect(ids((await service.listInventoryLevels({ reserved_quantity: { lte: 1 } }))[0])).toEqual(
        keys("a1", "a2", "b3")
      )
    })

    it("filters by incoming_quantity as a number and with lt/gt/lte/gte", async () => {
      expect(ids((await service.listInventoryLevels({ incoming_quantity: 5 }))[0])).toEqual(keys("a2"))
      expect(ids((await service.listInventoryLevels({ incoming_quantity: { gt: 0 } }))[0])).toEqual(keys("a2", "b3"))
      expect(ids((await service.listInventoryLevels({ incoming_quantity: { gte: 1 } }))[0])).toEqual(keys("a2", "b3"))
      expect(ids((await service.listInventoryLevels({ incoming_quantity: { lt: 1 } }))[0])).toEqual(keys("a1", "b1"))
      expect(ids((await service.listInventoryLevels({ incoming_quantity: { lte: 1 } }))[0])).toEqual(
        keys("a1", "b1", "b3")
      )
    })

    it("orders, skips and takes", async () => {
      const [desc, count] = await service.listInventoryLevels({}, { order: { stocked_quantity: "DESC" }, skip: 1, take: 2 })
      expect(count).toBe(4)
      expect(desc.map((r) => r.stocked_quantity)).toEqual([20, 10])

      const [asc] = await service.listInventoryLevels({}, { order: { stocked_quantity: "ASC" }, skip: 0, take: 10 })
      expect(asc.map((r) => r.stocked_quantity)).toEqual([5, 10, 20, 30])

      const [last, lastCount] = await service.listInventoryLevels({}, { order: { stocked_quantity: "ASC" }, skip: 3, take: 10 })
      expect(lastCount).toBe(4)
      expect(last.map((r) => r.stocked_quantity)).toEqual([30])
    })

    it("selects only the requested fields (and the id)", async () => {
      const [rows] = await service.listInventoryLevels(
        { inventory_item_id: itemA },
        { select: ["location_id", "stocked_quantity"], order: { location_id: "ASC" } }
      )
      expect(rows).toHaveLength(2)
      expect(rows[0].id).toBe(levels.a1.id)
      expect(rows[0].location_id).toBe("loc_1")
      expect(rows[0].stocked_quantity).toBe(10)
      expect(rows[0].reserved_quantity).toBeUndefined()
      expect(rows[0].incoming_quantity).toBeUndefined()
      expect(rows[0].inventory_item_id).toBeUndefined()
    })

    it("loads the inventory_item relation", async () => {
      const [rows, count] = await service.listInventoryLevels(
        { location_id: "loc_1" },
        { relations: ["inventory_item"], order: { stocked_quantity: "ASC" } }
      )
      expect(count).toBe(2)
      const withItem = rows as (InventoryLevelDTO & { inventory_item?: { id: string; sku: string } })[]
      expect(withItem.map((r) => [r.id, r.inventory_item?.id, r.inventory_item?.sku])).toEqual([
        [levels.a1.id, itemA, "LIST-A"],
        [levels.b1.id, itemB, "LIST-B"],
      ])
    })

    it("leaves out deleted levels unless withDeleted is set", async () => {
      await service.deleteInventoryLevel(itemA, "loc_2")

      const [live, liveCount] = await service.listInventoryLevels({ inventory_item_id: itemA })
      expect(liveCount).toBe(1)
      expect(ids(live)).toEqual(keys("a1"))

      const [all, allCount] = await service.listInventoryLevels({ inventory_item_id: itemA }, { withDeleted: true })
      expect(allCount).toBe(2)
      expect(ids(all)).toEqual(keys("a1", "a2"))
      expect(all.find((r) => r.id === levels.a2.id)?.deleted_at).not.toBeNull()
    })

    it("rejects an unknown filter with INVALID_DATA naming it", async () => {
      const error = await expectMedusaError(
        service.listInventoryLevels({ warehouse_id: "w_1" } as any),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("warehouse_id")
      const sku = await expectMedusaError(service.listInventoryLevels({ sku: "LIST-A" } as any), MedusaError.Types.INVALID_DATA)
      expect(sku.message).toContain("sku")
    })
  })

  // ------------------------------------------------------------------ update one

  describe("updateInventoryLevel", () => {
    let itemId: string
    let level: InventoryLevelDTO

    beforeEach(async () => {
      itemId = await makeItem()
      level = await makeLevel(itemId, "loc_1", 10, { incoming_quantity: 1 })
      await makeLevel(itemId, "loc_2", 50)
      db.eventBus.clear()
    })

    it("updates stocked and incoming quantities and returns the level", async () => {
      const updated = await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 25, incoming_quantity: 7 })
      expect(updated).toMatchObject({
        id: level.id,
        inventory_item_id: itemId,
        location_id: "loc_1",
        stocked_quantity: 25,
        reserved_quantity: 0,
        incoming_quantity: 7,
        deleted_at: null,
      })
      expect(await quantitiesOf(itemId)).toEqual([
        ["loc_1", 25, 0, 7],
        ["loc_2", 50, 0, 0],
      ])
      expect(db.eventBus.events).toEqual([{ name: "inventory-level.updated", data: { id: level.id } }])
    })

    it("leaves fields that are not given unchanged", async () => {
      const updated = await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 3 })
      expect(updated.stocked_quantity).toBe(3)
      expect(updated.incoming_quantity).toBe(1)
      expect(await quantitiesOf(itemId)).toEqual([
        ["loc_1", 3, 0, 1],
        ["loc_2", 50, 0, 0],
      ])
    })

    it("accepts an explicit reserved_quantity as a manual correction", async () => {
      const updated = await service.updateInventoryLevel(itemId, "loc_1", {
        reserved_quantity: 4,
      } as UpdateInventoryLevelInput)
      expect(updated.reserved_quantity).toBe(4)
      expect(updated.stocked_quantity).toBe(10)
      expect((await liveLevelRow(itemId, "loc_1"))?.reserved_quantity).toBe(4)
      expect(await service.retrieveAvailableQuantity(itemId, ["loc_1"])).toBe(6)
    })

    it("emits no updated event when nothing changes", async () => {
      const same = await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 10, incoming_quantity: 1 })
      expect(same).toMatchObject({ id: level.id, stocked_quantity: 10, incoming_quantity: 1 })
      const empty = await service.updateInventoryLevel(itemId, "loc_1", {})
      expect(empty).toMatchObject({ id: level.id, stocked_quantity: 10, incoming_quantity: 1 })
      expect(db.eventBus.events).toEqual([])

      await service.updateInventoryLevel(itemId, "loc_1", { incoming_quantity: 2 })
      expect(db.eventBus.events).toEqual([{ name: "inventory-level.updated", data: { id: level.id } }])
    })

    it("throws NOT_FOUND for a level that does not exist", async () => {
      await expectMedusaError(
        service.updateInventoryLevel(itemId, "loc_9", { stocked_quantity: 1 }),
        MedusaError.Types.NOT_FOUND,
        { exact: `Item ${itemId} is not stocked at location loc_9` }
      )
      await expectMedusaError(
        service.updateInventoryLevel("iitem_missing", "loc_1", { stocked_quantity: 1 }),
        MedusaError.Types.NOT_FOUND,
        { exact: "Item iitem_missing is not stocked at location loc_1" }
      )
      expect(await quantitiesOf(itemId)).toEqual([
        ["loc_1", 10, 0, 1],
        ["loc_2", 50, 0, 0],
      ])
      expect(db.eventBus.events).toEqual([])
    })

    it("throws NOT_FOUND for a deleted level", async () => {
      await service.deleteInventoryLevel(itemId, "loc_1")
      await expectMedusaError(
        service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 1 }),
        MedusaError.Types.NOT_FOUND,
        { exact: `Item ${itemId} is not stocked at location loc_1` }
      )
      const [row] = await db.query<LevelRow>(`SELECT * FROM inventory_level WHERE id = $1`, [level.id])
      expect(row.stocked_quantity).toBe(10)
    })

    const badUpdates: [string, unknown, string][] = [
      ["a fractional stocked_quantity", { stocked_quantity: 1.5 }, "stocked_quantity"],
      ["a string stocked_quantity", { stocked_quantity: "5" }, "stocked_quantity"],
      ["a stocked_quantity above the integer range", { stocked_quantity: INT_MAX + 1 }, "stocked_quantity"],
      ["a negative incoming_quantity", { incoming_quantity: -1 }, "incoming_quantity"],
      ["a negative reserved_quantity", { reserved_quantity: -1 }, "reserved_quantity"],
      ["an unknown field", { location_id: "loc_2" }, "location_id"],
      ["a null update", null, "update"],
    ]

    it.each(badUpdates)("rejects %s with INVALID_DATA and changes nothing", async (_label, update, field) => {
      const error = await expectMedusaError(
        service.updateInventoryLevel(itemId, "loc_1", update as any),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain(field)
      expect(await quantitiesOf(itemId)).toEqual([
        ["loc_1", 10, 0, 1],
        ["loc_2", 50, 0, 0],
      ])
      expect(db.eventBus.events).toEqual([])
    })
  })

  // ------------------------------------------------------------------ update many

  describe("updateInventoryLevels", () => {
    let itemA: string
    let itemB: string

    beforeEach(async () => {
      itemA = await makeItem("UPD-A")
      itemB = await makeItem("UPD-B")
      await service.createInventoryLevels([
        { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: itemA, location_id: "loc_2", stocked_quantity: 2 },
        { inventory_item_id: itemA, location_id: "loc_3", stocked_quantity: 3 },
        { inventory_item_id: itemB, location_id: "loc_1", stocked_quantity: 4 },
        { inventory_item_id: itemB, location_id: "loc_2", stocked_quantity: 5 },
      ])
      db.eventBus.clear()
    })

    const snapshot = async () => [await quantitiesOf(itemA), await quantitiesOf(itemB)]
    const initial = [
      [
        ["loc_1", 1, 0, 0],
        ["loc_2", 2, 0, 0],
        ["loc_3", 3, 0, 0],
      ],
      [
        ["loc_1", 4, 0, 0],
        ["loc_2", 5, 0, 0],
      ],
    ]

    it("updates several levels in one call and returns them in input order", async () => {
      const result = await service.updateInventoryLevels([
        { inventory_item_id: itemB, location_id: "loc_2", stocked_quantity: 50 },
        { inventory_item_id: itemA, location_id: "loc_3", incoming_quantity: 30 },
        { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 10, incoming_quantity: 1 },
      ])
      expect(result.map((l) => [l.inventory_item_id, l.location_id, l.stocked_quantity, l.incoming_quantity])).toEqual([
        [itemB, "loc_2", 50, 0],
        [itemA, "loc_3", 3, 30],
        [itemA, "loc_1", 10, 1],
      ])
      expect(await snapshot()).toEqual([
        [
          ["loc_1", 10, 0, 1],
          ["loc_2", 2, 0, 0],
          ["loc_3", 3, 0, 30],
        ],
        [
          ["loc_1", 4, 0, 0],
          ["loc_2", 50, 0, 0],
        ],
      ])
      expect(db.eventBus.names()).toEqual(Array(3).fill("inventory-level.updated"))
      expect(new Set(db.eventBus.events.map((e) => e.data.id))).toEqual(new Set(result.map((l) => l.id)))
    })

    const fiveWithOneMissing = (): BulkUpdateInventoryLevelInput[] => [
      { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 100 },
      { inventory_item_id: itemA, location_id: "loc_2", stocked_quantity: 100 },
      { inventory_item_id: itemB, location_id: "loc_3", stocked_quantity: 100 },
      { inventory_item_id: itemB, location_id: "loc_1", stocked_quantity: 100 },
      { inventory_item_id: itemB, location_id: "loc_2", stocked_quantity: 100 },
    ]

    it("applies none of 5 updates when one names a missing level", async () => {
      const error = await expectMedusaError(
        service.updateInventoryLevels(fiveWithOneMissing()),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toContain(`Item ${itemB} is not stocked at location loc_3`)
      expect(await snapshot()).toEqual(initial)
      expect(db.eventBus.events).toEqual([])
    })

    it("names each failing update in input order, repeats kept (the official wording)", async () => {
      const error = await expectMedusaError(
        service.updateInventoryLevels([
          { inventory_item_id: itemB, location_id: "loc_3", stocked_quantity: 1 },
          { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 2 },
          { inventory_item_id: itemB, location_id: "loc_3", stocked_quantity: 3 },
          { inventory_item_id: itemA, location_id: "loc_9", incoming_quantity: 3 },
        ]),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toBe(
        `Item ${itemB} is not stocked at location loc_3, Item ${itemB} is not stocked at location loc_3, ` +
          `Item ${itemA} is not stocked at location loc_9`
      )
      expect(await snapshot()).toEqual(initial)
    })

    it("names only the missing level in the NOT_FOUND message", async () => {
      const error = await expectMedusaError(
        service.updateInventoryLevels(fiveWithOneMissing()),
        MedusaError.Types.NOT_FOUND
      )
      // The 4 levels that do exist must not be reported as "not stocked".
      expect(error.message).toBe(`Item ${itemB} is not stocked at location loc_3`)
    })

    it("applies none of the updates when one is invalid", async () => {
      const error = await expectMedusaError(
        service.updateInventoryLevels([
          { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 100 },
          { inventory_item_id: itemA, location_id: "loc_2", stocked_quantity: 100 },
          { inventory_item_id: itemA, location_id: "loc_3", stocked_quantity: 1.5 },
          { inventory_item_id: itemB, location_id: "loc_1", stocked_quantity: 100 },
          { inventory_item_id: itemB, location_id: "loc_2", stocked_quantity: 100 },
        ]),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("stocked_quantity")
      expect(await snapshot()).toEqual(initial)
      expect(db.eventBus.events).toEqual([])

      await expectMedusaError(
        service.updateInventoryLevels([
          { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 100 },
          { inventory_item_id: itemB, location_id: "loc_1", incoming_quantity: -1 },
        ]),
        MedusaError.Types.INVALID_DATA
      )
      await expectMedusaError(
        service.updateInventoryLevels([
          { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 100 },
          { inventory_item_id: itemB, stocked_quantity: 100 } as BulkUpdateInventoryLevelInput,
        ]),
        MedusaError.Types.INVALID_DATA
      )
      expect(await snapshot()).toEqual(initial)
    })

    it("merges repeated (item, location) entries, the later one winning", async () => {
      const result = await service.updateInventoryLevels([
        { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 5, incoming_quantity: 2 },
        { inventory_item_id: itemB, location_id: "loc_1", stocked_quantity: 40 },
        { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 7 },
      ])
      expect(result[result.length - 1]).toMatchObject({
        inventory_item_id: itemA,
        location_id: "loc_1",
        stocked_quantity: 7,
        incoming_quantity: 2,
      })
      expect(result[1]).toMatchObject({ inventory_item_id: itemB, location_id: "loc_1", stocked_quantity: 40 })
      expect(await liveLevelRow(itemA, "loc_1")).toMatchObject({ stocked_quantity: 7, incoming_quantity: 2 })
      expect(await liveLevelRow(itemB, "loc_1")).toMatchObject({ stocked_quantity: 40 })
    })
  })

  // ------------------------------------------------------------------ delete

  describe("deleteInventoryLevel", () => {
    it("soft-deletes the level and emits its id", async () => {
      const itemId = await makeItem()
      const level = await makeLevel(itemId, "loc_1", 10)
      const other = await makeLevel(itemId, "loc_2", 20)
      db.eventBus.clear()

      await service.deleteInventoryLevel(itemId, "loc_1")

      const rows = await allLevelRows()
      expect(rows).toHaveLength(2)
      expect(rows.find((r) => r.id === level.id)?.deleted_at).toBeInstanceOf(Date)
      expect(rows.find((r) => r.id === other.id)?.deleted_at).toBeNull()
      await expectMedusaError(service.retrieveInventoryLevel(itemId, "loc_1"), MedusaError.Types.NOT_FOUND)
      expect((await service.retrieveInventoryLevel(itemId, "loc_2")).id).toBe(other.id)
      expect(db.eventBus.events).toEqual([{ name: "inventory-level.deleted", data: { ids: level.id } }])
    })

    it("does not throw for a missing level and changes nothing", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)

      await expect(service.deleteInventoryLevel(itemId, "loc_9")).resolves.toBeUndefined()
      await expect(service.deleteInventoryLevel("iitem_missing", "loc_1")).resolves.toBeUndefined()
      const rows = await allLevelRows()
      expect(rows).toHaveLength(1)
      expect(rows[0].deleted_at).toBeNull()
    })
  })

  describe("deleteInventoryItemLevelByLocationId", () => {
    let itemA: string
    let itemB: string

    beforeEach(async () => {
      itemA = await makeItem("LOC-A")
      itemB = await makeItem("LOC-B")
      await service.createInventoryLevels([
        { inventory_item_id: itemA, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: itemA, location_id: "loc_2", stocked_quantity: 2 },
        { inventory_item_id: itemA, location_id: "loc_3", stocked_quantity: 3 },
        { inventory_item_id: itemB, location_id: "loc_1", stocked_quantity: 4 },
        { inventory_item_id: itemB, location_id: "loc_3", stocked_quantity: 5 },
      ])
      db.eventBus.clear()
    })

    const deletedByLocation = async () => {
      const rows = await allLevelRows()
      return rows.map((r) => [r.inventory_item_id === itemA ? "A" : "B", r.location_id, r.deleted_at !== null])
    }

    it("soft-deletes every level at one location (string)", async () => {
      await service.deleteInventoryItemLevelByLocationId("loc_1")
      expect(await deletedByLocation()).toEqual([
        ["A", "loc_1", true],
        ["A", "loc_2", false],
        ["A", "loc_3", false],
        ["B", "loc_1", true],
        ["B", "loc_3", false],
      ])
      expect(db.eventBus.events).toEqual([{ name: "inventory-level.deleted", data: { location_ids: ["loc_1"] } }])
      const [live] = await service.listInventoryLevels({ location_id: "loc_1" })
      expect(live).toEqual([])
    })

    it("soft-deletes every level at several locations (array)", async () => {
      await service.deleteInventoryItemLevelByLocationId(["loc_1", "loc_3"])
      expect(await deletedByLocation()).toEqual([
        ["A", "loc_1", true],
        ["A", "loc_2", false],
        ["A", "loc_3", true],
        ["B", "loc_1", true],
        ["B", "loc_3", true],
      ])
      expect(db.eventBus.events).toEqual([
        { name: "inventory-level.deleted", data: { location_ids: ["loc_1", "loc_3"] } },
      ])
      expect((await service.retrieveInventoryLevel(itemA, "loc_2")).stocked_quantity).toBe(2)
    })
  })

  // ------------------------------------------------------------------ adjust

  describe("adjustInventory", () => {
    let itemId: string

    beforeEach(async () => {
      itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10, { reserved_quantity: 2, incoming_quantity: 3 })
      await makeLevel(itemId, "loc_2", 100)
      db.eventBus.clear()
    })

    it("adds and subtracts, returning the level", async () => {
      const up = await service.adjustInventory(itemId, "loc_1", 5)
      expect(up).toMatchObject({
        inventory_item_id: itemId,
        location_id: "loc_1",
        stocked_quantity: 15,
        reserved_quantity: 2,
        incoming_quantity: 3,
      })
      expect(up.id).toMatch(/^ilev_/)

      const down = await service.adjustInventory(itemId, "loc_1", -12)
      expect(down.stocked_quantity).toBe(3)
      expect(down.id).toBe(up.id)

      expect(await quantitiesOf(itemId)).toEqual([
        ["loc_1", 3, 2, 3],
        ["loc_2", 100, 0, 0],
      ])
    })

    it("ends at exactly +50 after 50 concurrent +1 adjustments", async () => {
      const results = await Promise.all(
        Array.from({ length: 50 }, () => service.adjustInventory(itemId, "loc_1", 1))
      )
      expect(results).toHaveLength(50)
      expect(new Set(results.map((r) => r.stocked_quantity)).size).toBe(50)
      expect(Math.max(...results.map((r) => r.stocked_quantity))).toBe(60)
      expect((await liveLevelRow(itemId, "loc_1"))?.stocked_quantity).toBe(60)
      expect((await liveLevelRow(itemId, "loc_2"))?.stocked_quantity).toBe(100)
    })

    it("throws NOT_FOUND for a missing level", async () => {
      await expectMedusaError(service.adjustInventory(itemId, "loc_9", 1), MedusaError.Types.NOT_FOUND)
      await expectMedusaError(service.adjustInventory("iitem_missing", "loc_1", 1), MedusaError.Types.NOT_FOUND)
      await service.deleteInventoryLevel(itemId, "loc_2")
      await expectMedusaError(service.adjustInventory(itemId, "loc_2", 1), MedusaError.Types.NOT_FOUND)
      expect(await quantitiesOf(itemId)).toEqual([["loc_1", 10, 2, 3]])
    })

    it.each([
      ["a string", "5"],
      ["a fraction", 1.5],
      ["NaN", NaN],
      ["Infinity", Infinity],
      ["-Infinity", -Infinity],
      ["null", null],
    ])("rejects %s adjustment with INVALID_DATA and leaves the quantity unchanged", async (_label, adjustment) => {
      const error = await expectMedusaError(
        service.adjustInventory(itemId, "loc_1", adjustment as any),
        MedusaError.Types.INVALID_DATA
      )
      expect(error.message).toContain("adjustment")
      expect(await quantitiesOf(itemId)).toEqual([
        ["loc_1", 10, 2, 3],
        ["loc_2", 100, 0, 0],
      ])
      expect(db.eventBus.events).toEqual([])
    })

    it("rejects an adjustment that overflows the integer range with INVALID_DATA", async () => {
      await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: INT_MAX - 1 })
      db.eventBus.clear()

      const error = await expectMedusaError(service.adjustInventory(itemId, "loc_1", 2), MedusaError.Types.INVALID_DATA)
      expect(error.name).not.toBe("QueryFailedError")
      expect(error).not.toHaveProperty("driverError")
      expect(error.message).not.toMatch(/UPDATE|inventory_level/)
      expect((await liveLevelRow(itemId, "loc_1"))?.stocked_quantity).toBe(INT_MAX - 1)

      await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: INT_MIN + 1 })
      db.eventBus.clear()
      await expectMedusaError(service.adjustInventory(itemId, "loc_1", -2), MedusaError.Types.INVALID_DATA)
      expect((await liveLevelRow(itemId, "loc_1"))?.stocked_quantity).toBe(INT_MIN + 1)

      await expectMedusaError(service.adjustInventory(itemId, "loc_2", INT_MAX + 1), MedusaError.Types.INVALID_DATA)
      expect((await liveLevelRow(itemId, "loc_2"))?.stocked_quantity).toBe(100)
      expect(db.eventBus.events).toEqual([])
    })
  })

  // ------------------------------------------------------------------ quantities

  describe("retrieveAvailableQuantity / retrieveStockedQuantity / retrieveReservedQuantity", () => {
    let itemId: string

    beforeEach(async () => {
      itemId = await makeItem("QTY")
      await service.createInventoryLevels([
        { inventory_item_id: itemId, location_id: "loc_1", stocked_quantity: 10 },
        { inventory_item_id: itemId, location_id: "loc_2", stocked_quantity: 20 },
        { inventory_item_id: itemId, location_id: "loc_3", stocked_quantity: 40 },
        { inventory_item_id: itemId, location_id: "loc_4", stocked_quantity: 100 },
      ])
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3, line_item_id: "li_1" })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_2", quantity: 5, line_item_id: "li_2" })
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_3", quantity: 7, line_item_id: "li_3" })
      await service.deleteInventoryLevel(itemId, "loc_3")
    })

    it("sums over the given locations only, ignoring other and deleted levels", async () => {
      const locations = ["loc_1", "loc_2", "loc_3"]
      expect(await service.retrieveStockedQuantity(itemId, locations)).toBe(30)
      expect(await service.retrieveReservedQuantity(itemId, locations)).toBe(8)
      expect(await service.retrieveAvailableQuantity(itemId, locations)).toBe(22)

      expect(await service.retrieveStockedQuantity(itemId, ["loc_4"])).toBe(100)
      expect(await service.retrieveStockedQuantity(itemId, ["loc_3"])).toBe(0)
      expect(await service.retrieveStockedQuantity(itemId, ["loc_1", "loc_2", "loc_4"])).toBe(130)
    })

    it("ignores levels of other items", async () => {
      const other = await makeItem("QTY-OTHER")
      await makeLevel(other, "loc_1", 1000)
      expect(await service.retrieveStockedQuantity(itemId, ["loc_1"])).toBe(10)
      expect(await service.retrieveAvailableQuantity(itemId, ["loc_1"])).toBe(7)
      expect(await service.retrieveStockedQuantity(other, ["loc_1"])).toBe(1000)
    })

    it("accepts a single location id as a string", async () => {
      expect(await service.retrieveStockedQuantity(itemId, "loc_1" as any)).toBe(10)
      expect(await service.retrieveReservedQuantity(itemId, "loc_1" as any)).toBe(3)
      expect(await service.retrieveAvailableQuantity(itemId, "loc_1" as any)).toBe(7)
    })

    it("returns 0 for no locations and for an item without levels", async () => {
      for (const quantity of [
        await service.retrieveStockedQuantity(itemId, []),
        await service.retrieveReservedQuantity(itemId, []),
        await service.retrieveAvailableQuantity(itemId, []),
      ]) {
        expect(quantity).toBe(0)
      }

      const bare = await makeItem("QTY-BARE")
      for (const quantity of [
        await service.retrieveStockedQuantity(bare, ["loc_1", "loc_2"]),
        await service.retrieveReservedQuantity(bare, ["loc_1", "loc_2"]),
        await service.retrieveAvailableQuantity(bare, ["loc_1", "loc_2"]),
      ]) {
        expect(quantity).toBe(0)
      }
    })

    it("throws NOT_FOUND for an unknown item", async () => {
      await expectMedusaError(service.retrieveStockedQuantity("iitem_missing", ["loc_1"]), MedusaError.Types.NOT_FOUND)
      await expectMedusaError(service.retrieveReservedQuantity("iitem_missing", ["loc_1"]), MedusaError.Types.NOT_FOUND)
      await expectMedusaError(service.retrieveAvailableQuantity("iitem_missing", ["loc_1"]), MedusaError.Types.NOT_FOUND)
      await expectMedusaError(service.retrieveAvailableQuantity("iitem_missing", []), MedusaError.Types.NOT_FOUND)
    })

    it("throws NOT_FOUND for a deleted item", async () => {
      await service.deleteInventoryItem(itemId)
      await expectMedusaError(service.retrieveStockedQuantity(itemId, ["loc_1"]), MedusaError.Types.NOT_FOUND)
      await expectMedusaError(service.retrieveReservedQuantity(itemId, ["loc_1"]), MedusaError.Types.NOT_FOUND)
      await expectMedusaError(service.retrieveAvailableQuantity(itemId, ["loc_1"]), MedusaError.Types.NOT_FOUND)
    })

    it("reflects reservations as they are created and deleted", async () => {
      expect(await service.retrieveReservedQuantity(itemId, ["loc_1"])).toBe(3)
      const reservation = await service.createReservationItem({
        inventory_item_id: itemId,
        location_id: "loc_1",
        quantity: 4,
        line_item_id: "li_9",
      })
      expect(await service.retrieveReservedQuantity(itemId, ["loc_1"])).toBe(7)
      expect(await service.retrieveAvailableQuantity(itemId, ["loc_1"])).toBe(3)
      expect(await service.retrieveStockedQuantity(itemId, ["loc_1"])).toBe(10)

      await service.deleteReservationItem(reservation.id)
      expect(await service.retrieveReservedQuantity(itemId, ["loc_1"])).toBe(3)
      expect(await service.retrieveAvailableQuantity(itemId, ["loc_1"])).toBe(7)
      expect(await reservedDrift(db)).toEqual([])
    })
  })

  // ------------------------------------------------------------------ confirm

  describe("confirmInventory", () => {
    let itemId: string

    beforeEach(async () => {
      itemId = await makeItem("CONFIRM")
      await makeLevel(itemId, "loc_1", 10)
      await makeLevel(itemId, "loc_2", 20)
      await service.createReservationItem({ inventory_item_id: itemId, location_id: "loc_1", quantity: 3 })
    })

    it("compares the quantity with what is available at the locations", async () => {
      expect(await service.confirmInventory(itemId, ["loc_1"], 7)).toBe(true)
      expect(await service.confirmInventory(itemId, ["loc_1"], 8)).toBe(false)
      expect(await service.confirmInventory(itemId, ["loc_1", "loc_2"], 27)).toBe(true)
      expect(await service.confirmInventory(itemId, ["loc_1", "loc_2"], 28)).toBe(false)
      expect(await service.confirmInventory(itemId, ["loc_9"], 1)).toBe(false)
    })

    it("confirms a quantity of 0", async () => {
      expect(await service.confirmInventory(itemId, ["loc_1"], 0)).toBe(true)
      const bare = await makeItem("CONFIRM-BARE")
      expect(await service.confirmInventory(bare, ["loc_1"], 0)).toBe(true)
      expect(await service.confirmInventory(bare, ["loc_1"], 1)).toBe(false)
    })

    it("rejects a negative quantity with INVALID_DATA", async () => {
      const error = await expectMedusaError(service.confirmInventory(itemId, ["loc_1"], -1), MedusaError.Types.INVALID_DATA)
      expect(error.message).toContain("quantity")
    })

    it("throws NOT_FOUND for an unknown item", async () => {
      await expectMedusaError(service.confirmInventory("iitem_missing", ["loc_1"], 1), MedusaError.Types.NOT_FOUND)
    })
  })

  // ------------------------------------------------------------------ caller transactions

  describe("context.transactionManager", () => {
    it("does not persist an update made inside a caller transaction that rolls back", async () => {
      const itemId = await makeItem()
      await makeLevel(itemId, "loc_1", 10)
      db.eventBus.clear()

      const rollback = new Error("caller rolls back")
      const error = await rejectionOf(
        db.dataSource.transaction(async (transactionManager) => {
          const updated = await service.updateInventoryLevel(
            itemId,
            "loc_1",
            { stocked_quantity: 99, incoming_quantity: 9 },
            { transactionManager }
          )
          expect(updated.stocked_quantity).toBe(99)
          const adjusted = await service.adjustInventory(itemId, "loc_1", 1, { transactionManager })
          expect(adjusted.stocked_quantity).toBe(100)
          // visible inside the caller's transaction
          const inside = await service.retrieveInventoryLevel(itemId, "loc_1", { transactionManager })
          expect(inside.stocked_quantity).toBe(100)
          throw rollback
        })
      )
      expect(error).toBe(rollback)

      expect(await liveLevelRow(itemId, "loc_1")).toMatchObject({ stocked_quantity: 10, incoming_quantity: 0 })
      expect((await service.retrieveInventoryLevel(itemId, "loc_1")).stocked_quantity).toBe(10)
      expect(db.eventBus.events).toEqual([])
    })

    it("persists an update made inside a caller transaction that commits", async () => {
      const itemId = await makeItem()
      const level = await makeLevel(itemId, "loc_1", 10)
      db.eventBus.clear()

      await db.dataSource.transaction(async (transactionManager) => {
        await service.updateInventoryLevel(itemId, "loc_1", { stocked_quantity: 42 }, { transactionManager })
      })

      expect((await liveLevelRow(itemId, "loc_1"))?.stocked_quantity).toBe(42)
      expect(db.eventBus.events).toEqual([{ name: "inventory-level.updated", data: { id: level.id } }])
    })
  })
})
