import type { CreateInventoryItemInput, FilterableInventoryItemProps, InventoryItemDTO } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import { INT_MAX } from "../../src/utils/validation"
import { setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError, medusaApiDuplicateMessage, SKU_TAKEN } from "../utils/errors"

type Service = ReturnType<TestDatabase["service"]>

const FULL_INPUT = {
  sku: "SKU-FULL",
  origin_country: "DK",
  hs_code: "6109",
  mid_code: "MID-1",
  material: "cotton",
  weight: 250,
  length: 30,
  height: 2,
  width: 20,
  requires_shipping: false,
  title: "T-shirt",
  description: "A plain shirt",
  thumbnail: "https://example.com/t.png",
  metadata: { color: "red", nested: { a: 1, list: [1, 2] } },
}



describe("InventoryService: inventory items", () => {
  let db: TestDatabase
  let service: Service

  beforeAll(async () => {
    db = await setupTestDatabase()
    service = db.service()
  })

  afterEach(async () => {
    await db.truncate()
  })

  afterAll(async () => {
    await db.close()
  })

  /** All item rows as stored, with timestamps as text (microsecond precision). */
  const itemRows = () =>
    db.query(
      `SELECT id, sku, origin_country, hs_code, mid_code, material, weight, length, height, width,
              requires_shipping, title, description, thumbnail, metadata,
              created_at::text AS created_at, updated_at::text AS updated_at, deleted_at::text AS deleted_at
         FROM inventory_item ORDER BY id`
    )

  const levelRows = (itemId: string) =>
    db.query<{ id: string; location_id: string; deleted_at: Date | null }>(
      `SELECT id, location_id, deleted_at FROM inventory_level WHERE inventory_item_id = $1 ORDER BY location_id`,
      [itemId]
    )

  const sortedSkus = (items: InventoryItemDTO[]) => items.map((i) => i.sku).sort()

  // ------------------------------------------------------------------ create

  describe("createInventoryItem / createInventoryItems", () => {
    it("stores and returns every attribute with the right types", async () => {
      const item = await service.createInventoryItem(FULL_INPUT)

      expect(item).toEqual({
        ...FULL_INPUT,
        id: expect.stringMatching(/^iitem_/),
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
        deleted_at: null,
      })
      for (const field of ["weight", "length", "height", "width"] as const) {
        expect(typeof item[field]).toBe("number")
      }
      expect(typeof item.requires_shipping).toBe("boolean")
      expect(item.created_at).toBeInstanceOf(Date)
      expect(item.updated_at).toBeInstanceOf(Date)

      const [row] = await db.query(`SELECT * FROM inventory_item WHERE id = $1`, [item.id])
      expect(row).toEqual({
        ...FULL_INPUT,
        id: item.id,
        created_at: item.created_at,
        updated_at: item.updated_at,
        deleted_at: null,
      })
    })

    it("defaults requires_shipping to true and the other attributes to null", async () => {
      const bare = await service.createInventoryItem({})
      expect(bare).toEqual({
        id: expect.stringMatching(/^iitem_/),
        sku: null,
        origin_country: null,
        hs_code: null,
        mid_code: null,
        material: null,
        weight: null,
        length: null,
        height: null,
        width: null,
        requires_shipping: true,
        title: null,
        description: null,
        thumbnail: null,
        metadata: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
        deleted_at: null,
      })

      const withSku = await service.createInventoryItem({ sku: "ONLY-SKU" })
      expect(withSku.requires_shipping).toBe(true)
      const [explicit, defaulted] = await service.createInventoryItems([
        { sku: "EXPLICIT", requires_shipping: true },
        { sku: "DEFAULTED" },
      ])
      expect(explicit.requires_shipping).toBe(true)
      expect(defaulted.requires_shipping).toBe(true)

      const rows = await db.query(`SELECT sku, requires_shipping FROM inventory_item ORDER BY sku NULLS FIRST`)
      expect(rows).toEqual([
        { sku: null, requires_shipping: true },
        { sku: "DEFAULTED", requires_shipping: true },
        { sku: "EXPLICIT", requires_shipping: true },
        { sku: "ONLY-SKU", requires_shipping: true },
      ])
    })

    it("emits inventory-item.created with the new id", async () => {
      const item = await service.createInventoryItem({ sku: "EVT" })
      expect(db.eventBus.events).toEqual([{ name: "inventory-item.created", data: { ids: [item.id] } }])
    })

    it("creates many items in input order, with one event listing all ids", async () => {
      const skus = ["m", "c", "x", "a", "q", "b", "z", "k", "e", "r", "d", "y"]
      const input: CreateInventoryItemInput[] = skus.map((sku, i) => ({
        sku,
        title: `Title ${sku}`,
        weight: i * 10,
        requires_shipping: i % 2 === 0,
        metadata: { index: i },
      }))
      const items = await service.createInventoryItems(input)

      expect(items).toHaveLength(skus.length)
      expect(items.map((i) => i.sku)).toEqual(skus)
      items.forEach((item, i) => {
        expect(item).toEqual({
          id: expect.stringMatching(/^iitem_/),
          sku: skus[i],
          title: `Title ${skus[i]}`,
          weight: i * 10,
          requires_shipping: i % 2 === 0,
          metadata: { index: i },
          origin_country: null,
          hs_code: null,
          mid_code: null,
          material: null,
          length: null,
          height: null,
          width: null,
          description: null,
          thumbnail: null,
          created_at: expect.any(Date),
          updated_at: expect.any(Date),
          deleted_at: null,
        })
      })
      expect(new Set(items.map((i) => i.id)).size).toBe(skus.length)

      const rows = await db.query<{ id: string; sku: string }>(`SELECT id, sku FROM inventory_item`)
      expect(new Map(rows.map((r) => [r.id, r.sku]))).toEqual(new Map(items.map((i) => [i.id, i.sku])))

      expect(db.eventBus.events).toEqual([{ name: "inventory-item.created", data: { ids: items.map((i) => i.id) } }])
    })

    it("round-trips special characters and integer bounds through single and bulk creates", async () => {
      const tricky = {
        sku: 'a,b{c}"d\\e NULL',
        title: "Ærø – 😀 'quoted'",
        description: "line1\nline2\ttab",
        weight: INT_MAX,
        length: INT_MAX,
        height: 0,
        metadata: { quote: 'say "hi"', backslash: "a\\b", unicode: "ø€😀", list: [null, true, 1.5], empty: {} },
      }
      const single = await service.createInventoryItem(tricky)
      const [bulk] = await service.createInventoryItems([{ ...tricky, sku: "NULL" }])
      for (const item of [single, bulk]) {
        const stored = await service.retrieveInventoryItem(item.id)
        expect(stored.title).toBe(tricky.title)
        expect(stored.description).toBe(tricky.description)
        expect(stored.weight).toBe(INT_MAX)
        expect(stored.length).toBe(INT_MAX)
        expect(stored.height).toBe(0)
        expect(stored.metadata).toEqual(tricky.metadata)
        expect(item.metadata).toEqual(tricky.metadata)
      }
      expect(single.sku).toBe(tricky.sku)
      expect(bulk.sku).toBe("NULL")
      const rows = await db.query(`SELECT sku FROM inventory_item WHERE sku IS NOT NULL ORDER BY sku`)
      expect(rows.map((r) => r.sku).sort()).toEqual([tricky.sku, "NULL"].sort())
    })

    it("creates a large batch in one call", async () => {
      const input = Array.from({ length: 500 }, (_, i) => ({ sku: `bulk-${i}`, weight: i }))
      const items = await service.createInventoryItems(input)
      expect(items.map((i) => i.sku)).toEqual(input.map((i) => i.sku))
      expect(items.map((i) => i.weight)).toEqual(input.map((i) => i.weight))
      const [{ count }] = await db.query(`SELECT count(*)::int AS count FROM inventory_item`)
      expect(count).toBe(500)
      expect(db.eventBus.events).toHaveLength(1)
      expect(db.eventBus.events[0].data.ids).toEqual(items.map((i) => i.id))
    })

    it("returns [] for an empty array, writing and emitting nothing", async () => {
      await expect(service.createInventoryItems([])).resolves.toEqual([])
      expect(await itemRows()).toEqual([])
      expect(db.eventBus.events).toEqual([])
    })
  })

  // ------------------------------------------------------------------ duplicates

  describe("duplicate sku", () => {
    it("rejects a sku that an existing item has", async () => {
      const existing = await service.createInventoryItem({ sku: "DUP" })
      db.eventBus.clear()

      const error = await expectMedusaError(
        service.createInventoryItem({ sku: "DUP", title: "second" }),
        MedusaError.Types.DUPLICATE_ERROR,
        { exact: SKU_TAKEN }
      )
      expect(medusaApiDuplicateMessage(error)).toBe("Inventory_item with sku DUP already exists.")
      expect(error.type).toBe("duplicate_error")

      const rows = await itemRows()
      expect(rows).toHaveLength(1)
      expect(rows[0].id).toBe(existing.id)
      expect(db.eventBus.events).toEqual([])
    })

    it("writes nothing when one row of a bulk call duplicates an existing sku", async () => {
      await service.createInventoryItem({ sku: "TAKEN" })
      const before = await itemRows()
      db.eventBus.clear()

      const duplicate = await expectMedusaError(
        service.createInventoryItems([{ sku: "FRESH-1" }, { sku: "TAKEN" }, { sku: "FRESH-2" }]),
        MedusaError.Types.DUPLICATE_ERROR,
        { exact: SKU_TAKEN }
      )
      expect(medusaApiDuplicateMessage(duplicate)).toBe("Inventory_item with sku TAKEN already exists.")
      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it("writes nothing when a bulk call repeats a sku within itself", async () => {
      const duplicate = await expectMedusaError(
        service.createInventoryItems([{ sku: "ONE" }, { sku: "TWICE" }, { sku: "TWICE" }]),
        MedusaError.Types.DUPLICATE_ERROR,
        { exact: SKU_TAKEN }
      )
      expect(medusaApiDuplicateMessage(duplicate)).toBe("Inventory_item with sku TWICE already exists.")
      expect(await itemRows()).toEqual([])
      expect(db.eventBus.events).toEqual([])
    })

    it("allows several items without a sku", async () => {
      const items = await service.createInventoryItems([{ title: "a" }, { title: "b" }])
      await service.createInventoryItem({ sku: null, title: "c" })
      expect(items).toHaveLength(2)
      expect(await itemRows()).toHaveLength(3)
    })

    it("lets a soft-deleted item's sku be reused", async () => {
      const first = await service.createInventoryItem({ sku: "REUSE" })
      const second = await service.createInventoryItem({ sku: "REUSE-BULK" })
      await service.deleteInventoryItem([first.id, second.id])

      const again = await service.createInventoryItem({ sku: "REUSE" })
      const [againBulk] = await service.createInventoryItems([{ sku: "REUSE-BULK" }])
      expect(again.id).not.toBe(first.id)
      expect(again.sku).toBe("REUSE")
      expect(againBulk.id).not.toBe(second.id)
      expect(againBulk.sku).toBe("REUSE-BULK")

      const rows = await db.query<{ id: string; live: boolean }>(
        `SELECT id, deleted_at IS NULL AS live FROM inventory_item WHERE sku = 'REUSE' ORDER BY live`
      )
      expect(rows).toEqual([
        { id: first.id, live: false },
        { id: again.id, live: true },
      ])
    })
  })

  // ------------------------------------------------------------------ invalid input

  describe("invalid input", () => {
    const cases: [string, unknown, string][] = [
      ["null input", null, "input"],
      ["undefined input", undefined, "input"],
      ["a fractional weight", { sku: "BAD", weight: 1.5 }, "weight"],
      ["a string weight", { sku: "BAD", weight: "10" }, "weight"],
      ["a weight above the integer range", { sku: "BAD", weight: 2 ** 31 }, "weight"],
      ["a NaN width", { sku: "BAD", width: Number.NaN }, "width"],
      ["an unknown field", { sku: "BAD", colour: "red" }, "colour"],
      ["a string requires_shipping", { sku: "BAD", requires_shipping: "yes" }, "requires_shipping"],
      ["metadata as an array", { sku: "BAD", metadata: ["a", "b"] }, "metadata"],
      ["a numeric title", { sku: "BAD", title: 42 }, "title"],
    ]

    it.each(cases)("createInventoryItem rejects %s with INVALID_DATA naming the field", async (_label, input, field) => {
      await service.createInventoryItem({ sku: "EXISTING", title: "kept" })
      const before = await itemRows()
      db.eventBus.clear()

      await expectMedusaError(service.createInventoryItem(input as any), MedusaError.Types.INVALID_DATA, { contains: field })

      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it.each(cases.filter(([, input]) => input != null))(
      "createInventoryItems rejects %s in one row and writes none of them",
      async (_label, input, field) => {
        await service.createInventoryItem({ sku: "EXISTING" })
        const before = await itemRows()
        db.eventBus.clear()

        const error = await expectMedusaError(
          service.createInventoryItems([{ sku: "GOOD-1" }, input as any, { sku: "GOOD-2" }]),
          MedusaError.Types.INVALID_DATA,
          { contains: field }
        )
        // the message points at the offending row
        expect(error.message).toContain("input.1")

        expect(await itemRows()).toEqual(before)
        expect(db.eventBus.events).toEqual([])
      }
    )

    it.each([
      ["null", null],
      ["undefined", undefined],
      ["an object", { sku: "NOT-AN-ARRAY" }],
    ])("createInventoryItems rejects %s instead of an array", async (_label, input) => {
      await expectMedusaError(service.createInventoryItems(input as any), MedusaError.Types.INVALID_DATA, { contains: "input" })
      expect(await itemRows()).toEqual([])
    })
  })

  // ------------------------------------------------------------------ retrieve

  describe("retrieveInventoryItem", () => {
    it("returns the item with all its attributes", async () => {
      const created = await service.createInventoryItem(FULL_INPUT)
      await service.createInventoryItem({ sku: "OTHER" })

      const item = await service.retrieveInventoryItem(created.id)
      expect({ ...item }).toEqual(created)
      expect(item.created_at).toBeInstanceOf(Date)
      expect(typeof item.weight).toBe("number")
    })

    it("throws NOT_FOUND with the exact message for an unknown id", async () => {
      await service.createInventoryItem({ sku: "SOME" })
      const error = await expectMedusaError(service.retrieveInventoryItem("iitem_missing"), MedusaError.Types.NOT_FOUND)
      expect(error.message).toBe("InventoryItem with id iitem_missing was not found")
    })

    it("does not find a soft-deleted item", async () => {
      const item = await service.createInventoryItem({ sku: "GONE" })
      await service.deleteInventoryItem(item.id)
      const error = await expectMedusaError(service.retrieveInventoryItem(item.id), MedusaError.Types.NOT_FOUND)
      expect(error.message).toBe(`InventoryItem with id ${item.id} was not found`)
    })

    it("returns only the selected fields plus id", async () => {
      const created = await service.createInventoryItem(FULL_INPUT)
      const item = await service.retrieveInventoryItem(created.id, { select: ["sku", "weight"] })
      expect(Object.keys(item).sort()).toEqual(["id", "sku", "weight"])
      expect({ ...item }).toEqual({ id: created.id, sku: "SKU-FULL", weight: 250 })
    })

    it("loads the live inventory_levels relation", async () => {
      const created = await service.createInventoryItem({ sku: "REL" })
      const other = await service.createInventoryItem({ sku: "REL-OTHER" })
      await service.createInventoryLevels([
        { inventory_item_id: created.id, location_id: "loc_1", stocked_quantity: 5 },
        { inventory_item_id: created.id, location_id: "loc_2", stocked_quantity: 7 },
        { inventory_item_id: created.id, location_id: "loc_3", stocked_quantity: 9 },
        { inventory_item_id: other.id, location_id: "loc_1", stocked_quantity: 1 },
      ])
      await service.deleteInventoryLevel(created.id, "loc_3")

      const item = (await service.retrieveInventoryItem(created.id, { relations: ["inventory_levels"] })) as InventoryItemDTO & {
        inventory_levels: { inventory_item_id: string; location_id: string; stocked_quantity: number }[]
      }
      expect(item.id).toBe(created.id)
      expect(item.sku).toBe("REL")
      const levels = [...item.inventory_levels].sort((a, b) => a.location_id.localeCompare(b.location_id))
      expect(levels.map((l) => [l.inventory_item_id, l.location_id, l.stocked_quantity])).toEqual([
        [created.id, "loc_1", 5],
        [created.id, "loc_2", 7],
      ])
    })

    it("rejects an empty-string id with INVALID_DATA", async () => {
      await expectMedusaError(service.retrieveInventoryItem(""), MedusaError.Types.INVALID_DATA, { contains: "inventoryItemId" })
    })
  })

  // ------------------------------------------------------------------ list

  describe("listInventoryItems", () => {
    it("takes every argument as optional, as the official module does: listInventoryItems() is { } with take 10", async () => {
      await service.createInventoryItems(Array.from({ length: 12 }, (_, i) => ({ sku: `OPT-${String(i).padStart(2, "0")}` })))
      const [rows, count] = await service.listInventoryItems()
      expect(count).toBe(12)
      expect(rows).toHaveLength(10)
      const [same, sameCount] = await service.listInventoryItems(undefined, undefined, undefined)
      expect(sameCount).toBe(12)
      expect(same.map((r) => r.id)).toEqual(rows.map((r) => r.id))
      const [all] = await service.listInventoryItems(undefined, {})
      expect(all).toHaveLength(12)
    })

    const createNumbered = async (n: number) =>
      service.createInventoryItems(Array.from({ length: n }, (_, i) => ({ sku: `item-${String(i).padStart(2, "0")}` })))

    it("returns a [rows, count] tuple", async () => {
      const item = await service.createInventoryItem({ sku: "TUPLE" })
      const result = await service.listInventoryItems({})
      expect(Array.isArray(result)).toBe(true)
      expect(result).toHaveLength(2)
      const [rows, count] = result
      expect(count).toBe(1)
      expect(rows.map((r) => r.id)).toEqual([item.id])
    })

    it("takes 10 rows by default when config is omitted, counting all", async () => {
      await createNumbered(12)
      const [rows, count] = await service.listInventoryItems({})
      expect(rows).toHaveLength(10)
      expect(count).toBe(12)
    })

    it("returns every row for an empty config", async () => {
      const created = await createNumbered(12)
      const [rows, count] = await service.listInventoryItems({}, {})
      expect(count).toBe(12)
      expect(rows.map((r) => r.id).sort()).toEqual(created.map((c) => c.id).sort())
    })

    it("pages with skip and take without changing the count", async () => {
      const created = await createNumbered(12)
      const pages: string[][] = []
      for (const skip of [0, 5, 10]) {
        const [rows, count] = await service.listInventoryItems({}, { skip, take: 5, order: { sku: "ASC" } })
        expect(count).toBe(12)
        pages.push(rows.map((r) => r.sku as string))
      }
      expect(pages.map((p) => p.length)).toEqual([5, 5, 2])
      expect(pages.flat()).toEqual(created.map((c) => c.sku))

      const [beyond, count] = await service.listInventoryItems({}, { skip: 20, take: 5 })
      expect(beyond).toEqual([])
      expect(count).toBe(12)
    })

    it("orders by sku ASC and DESC", async () => {
      await service.createInventoryItems([{ sku: "b" }, { sku: "c" }, { sku: "a" }])
      const [asc] = await service.listInventoryItems({}, { order: { sku: "ASC" } })
      expect(asc.map((r) => r.sku)).toEqual(["a", "b", "c"])
      const [desc] = await service.listInventoryItems({}, { order: { sku: "DESC" } })
      expect(desc.map((r) => r.sku)).toEqual(["c", "b", "a"])
    })

    it("returns only the selected fields plus id", async () => {
      const [a, b] = await service.createInventoryItems([
        { sku: "S1", title: "One", weight: 1 },
        { sku: "S2", title: "Two", weight: 2 },
      ])
      const [rows, count] = await service.listInventoryItems({}, { select: ["sku", "title"], order: { sku: "ASC" } })
      expect(count).toBe(2)
      for (const row of rows) {
        expect(Object.keys(row).sort()).toEqual(["id", "sku", "title"])
      }
      expect(rows.map((r) => ({ ...r }))).toEqual([
        { id: a.id, sku: "S1", title: "One" },
        { id: b.id, sku: "S2", title: "Two" },
      ])
    })

    it("accepts config.relations and joins nothing, as the official list does (Medusa passes ?expand= through)", async () => {
      const [a, b] = await service.createInventoryItems([{ sku: "A" }, { sku: "B" }])
      await service.createInventoryLevels([
        { inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 3 },
        { inventory_item_id: a.id, location_id: "loc_2", stocked_quantity: 4 },
      ])
      for (const relations of [["inventory_levels"], ["location_levels"], ["nope"]]) {
        const [rows, count] = await service.listInventoryItems({}, { relations, order: { sku: "ASC" } })
        expect(count).toBe(2)
        expect(rows.map((r) => r.id)).toEqual([a.id, b.id])
        expect(rows.map((r) => "inventory_levels" in r)).toEqual([false, false])
      }
    })

    it("pages by item with config.relations given", async () => {
      const created = await createNumbered(7)
      await service.createInventoryLevels(
        created.flatMap((item) => [
          { inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: item.id, location_id: "loc_2", stocked_quantity: 2 },
        ])
      )
      const [rows, count] = await service.listInventoryItems(
        {},
        { relations: ["inventory_levels"], skip: 2, take: 3, order: { sku: "ASC" } }
      )
      expect(count).toBe(7)
      expect(rows.map((r) => r.sku)).toEqual(created.slice(2, 5).map((c) => c.sku))
    })

    it("takes take: 0 as no limit, as the official list does; the count stays right", async () => {
      await createNumbered(12)
      const [rows, count] = await service.listInventoryItems({}, { take: 0 })
      expect(rows).toHaveLength(12)
      expect(count).toBe(12)
    })

    it("retrieveInventoryItem joins the inventory_levels relation when asked", async () => {
      const [a] = await service.createInventoryItems([{ sku: "A" }])
      await service.createInventoryLevels([{ inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 3 }])
      const item = (await service.retrieveInventoryItem(a.id, { relations: ["inventory_levels"] })) as InventoryItemDTO & {
        inventory_levels: { location_id: string; stocked_quantity: number }[]
      }
      expect(item.inventory_levels.map((l) => [l.location_id, l.stocked_quantity])).toEqual([["loc_1", 3]])
    })

    it("includes soft-deleted items only with withDeleted", async () => {
      const [live, gone] = await service.createInventoryItems([{ sku: "LIVE" }, { sku: "GONE" }])
      await service.deleteInventoryItem(gone.id)

      const [rows, count] = await service.listInventoryItems({})
      expect(count).toBe(1)
      expect(rows.map((r) => r.id)).toEqual([live.id])

      const [all, allCount] = await service.listInventoryItems({}, { withDeleted: true, order: { sku: "DESC" } })
      expect(allCount).toBe(2)
      expect(all.map((r) => r.id)).toEqual([live.id, gone.id])
      expect(all[0].deleted_at).toBeNull()
      expect(all[1].deleted_at).toBeInstanceOf(Date)
    })

    describe("filters", () => {
      let items: Record<string, InventoryItemDTO>

      beforeEach(async () => {
        const created = await service.createInventoryItems([
          {
            sku: "alpha-1", title: "Blue Shirt", description: "organic cotton", origin_country: "DK",
            hs_code: "6109", requires_shipping: true, mid_code: "MID-A", material: "cotton", weight: 100,
          },
          {
            sku: "alpha-2", title: "Red Hat", description: "hand-knitted", origin_country: "SE",
            hs_code: "6505", requires_shipping: false, mid_code: "MID-B", material: "wool", weight: 200,
          },
          {
            sku: "beta-1", title: "Green Mug", description: "stoneware cup", origin_country: "DK",
            hs_code: "6912", requires_shipping: true, mid_code: "MID-C", material: "ceramic", weight: 300,
          },
          { sku: "gamma", title: "Sticker", requires_shipping: false },
        ])
        items = Object.fromEntries(created.map((c) => [c.sku as string, c]))
      })

      /** Lists with `selector` (all rows) and checks that count agrees with the rows. */
      const skusFor = async (selector: FilterableInventoryItemProps | Record<string, unknown>) => {
        const [rows, count] = await service.listInventoryItems(selector as FilterableInventoryItemProps, {})
        expect(count).toBe(rows.length)
        return sortedSkus(rows)
      }

      it("filters by id (string and array)", async () => {
        expect(await skusFor({ id: items["beta-1"].id })).toEqual(["beta-1"])
        expect(await skusFor({ id: [items["alpha-1"].id, items.gamma.id] })).toEqual(["alpha-1", "gamma"])
        expect(await skusFor({ id: "iitem_unknown" })).toEqual([])
      })

      it("filters by sku (string and array)", async () => {
        expect(await skusFor({ sku: "alpha-2" })).toEqual(["alpha-2"])
        expect(await skusFor({ sku: ["alpha-1", "beta-1", "nope"] })).toEqual(["alpha-1", "beta-1"])
        expect(await skusFor({ sku: "ALPHA-2" })).toEqual([])
      })

      it.each([
        ["lt", { lt: "alpha-2" }, ["alpha-1"]],
        ["gt", { gt: "beta-1" }, ["gamma"]],
        ["lte", { lte: "alpha-2" }, ["alpha-1", "alpha-2"]],
        ["gte", { gte: "beta-1" }, ["beta-1", "gamma"]],
        ["contains", { contains: "pha" }, ["alpha-1", "alpha-2"]],
        ["starts_with", { starts_with: "be" }, ["beta-1"]],
        ["ends_with", { ends_with: "-1" }, ["alpha-1", "beta-1"]],
        ["gt and lt together", { gt: "alpha-1", lt: "gamma" }, ["alpha-2", "beta-1"]],
      ])("filters by sku with %s", async (_label, operator, expected) => {
        expect(await skusFor({ sku: operator })).toEqual(expected)
      })

      it("filters by origin_country", async () => {
        expect(await skusFor({ origin_country: "DK" })).toEqual(["alpha-1", "beta-1"])
        expect(await skusFor({ origin_country: ["SE", "NO"] })).toEqual(["alpha-2"])
      })

      it("filters by hs_code (string and operators)", async () => {
        expect(await skusFor({ hs_code: "6505" })).toEqual(["alpha-2"])
        expect(await skusFor({ hs_code: ["6109", "6912"] })).toEqual(["alpha-1", "beta-1"])
        expect(await skusFor({ hs_code: { starts_with: "61" } })).toEqual(["alpha-1"])
        expect(await skusFor({ hs_code: { contains: "9" } })).toEqual(["alpha-1", "beta-1"])
        expect(await skusFor({ hs_code: { gte: "6505" } })).toEqual(["alpha-2", "beta-1"])
        expect(await skusFor({ hs_code: { lt: "6505" } })).toEqual(["alpha-1"])
        expect(await skusFor({ hs_code: { ends_with: "05" } })).toEqual(["alpha-2"])
      })

      it("filters by requires_shipping", async () => {
        expect(await skusFor({ requires_shipping: true })).toEqual(["alpha-1", "beta-1"])
        expect(await skusFor({ requires_shipping: false })).toEqual(["alpha-2", "gamma"])
      })

      it("filters by mid_code, material and title", async () => {
        expect(await skusFor({ mid_code: "MID-B" })).toEqual(["alpha-2"])
        expect(await skusFor({ material: "ceramic" })).toEqual(["beta-1"])
        expect(await skusFor({ title: "Green Mug" })).toEqual(["beta-1"])
        expect(await skusFor({ title: "green mug" })).toEqual([])
      })

      it("filters by weight (number and operators)", async () => {
        expect(await skusFor({ weight: 200 })).toEqual(["alpha-2"])
        expect(await skusFor({ weight: { gt: 150 } })).toEqual(["alpha-2", "beta-1"])
        expect(await skusFor({ weight: { lte: 200 } })).toEqual(["alpha-1", "alpha-2"])
        expect(await skusFor({ weight: { gte: 100, lt: 300 } })).toEqual(["alpha-1", "alpha-2"])
      })

      it("combines filters with AND", async () => {
        expect(await skusFor({ origin_country: "DK", requires_shipping: true, weight: { gt: 150 } })).toEqual(["beta-1"])
        expect(await skusFor({ origin_country: "SE", requires_shipping: true })).toEqual([])
      })

      it("searches q over sku, title and description, case-insensitively", async () => {
        expect(await skusFor({ q: "ALPHA" })).toEqual(["alpha-1", "alpha-2"])
        expect(await skusFor({ q: "shirt" })).toEqual(["alpha-1"])
        expect(await skusFor({ q: "KNITTED" })).toEqual(["alpha-2"])
        expect(await skusFor({ q: "Ware C" })).toEqual(["beta-1"])
        expect(await skusFor({ q: "nothing-like-this" })).toEqual([])
        // material is not searched by q
        expect(await skusFor({ q: "ceramic" })).toEqual([])
      })

      it("combines q with other filters", async () => {
        expect(await skusFor({ q: "alpha", requires_shipping: false })).toEqual(["alpha-2"])
      })

      it("rejects an unknown filter key with INVALID_DATA", async () => {
        await expectMedusaError(
          service.listInventoryItems({ colour: "red" } as any),
          MedusaError.Types.INVALID_DATA,
          { contains: "colour" }
        )
      })

      it("rejects a null selector with INVALID_DATA", async () => {
        await expectMedusaError(service.listInventoryItems(null as any), MedusaError.Types.INVALID_DATA, { contains: "selector" })
      })
    })

    it("matches % and _ in q literally", async () => {
      await service.createInventoryItems([
        { sku: "50%_off" },
        { sku: "50xxoff" },
        { sku: "50%off" },
        { sku: "plain", title: "save 50_%" },
      ])
      const skusFor = async (q: string) => {
        const [rows, count] = await service.listInventoryItems({ q }, {})
        expect(count).toBe(rows.length)
        return sortedSkus(rows)
      }
      expect(await skusFor("50%_off")).toEqual(["50%_off"])
      expect(await skusFor("%_")).toEqual(["50%_off"])
      expect(await skusFor("_")).toEqual(["50%_off", "plain"])
      expect(await skusFor("%")).toEqual(["50%_off", "50%off", "plain"])
      expect(await skusFor("0_o")).toEqual([])
    })

    it("matches % and _ in sku string operators literally", async () => {
      await service.createInventoryItems([{ sku: "50%_off" }, { sku: "50xxoff" }, { sku: "a_b" }, { sku: "axb" }])
      const [contains] = await service.listInventoryItems({ sku: { contains: "%_" } }, {})
      expect(sortedSkus(contains)).toEqual(["50%_off"])
      const [starts] = await service.listInventoryItems({ sku: { starts_with: "a_" } }, {})
      expect(sortedSkus(starts)).toEqual(["a_b"])
    })

    describe("location_id filter", () => {
      it("returns only items with a live level at the location, each once", async () => {
        const [a, b, c] = await service.createInventoryItems([{ sku: "A" }, { sku: "B" }, { sku: "C" }, { sku: "D" }])
        await service.createInventoryLevels([
          { inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 1 },
          { inventory_item_id: a.id, location_id: "loc_2", stocked_quantity: 1 },
          { inventory_item_id: b.id, location_id: "loc_2", stocked_quantity: 1 },
          { inventory_item_id: c.id, location_id: "loc_1", stocked_quantity: 1 },
        ])
        await service.deleteInventoryLevel(c.id, "loc_1")

        const list = async (location_id: string | string[]) => {
          const [rows, count] = await service.listInventoryItems({ location_id }, {})
          return { skus: rows.map((r) => r.sku).sort(), count }
        }

        expect(await list("loc_1")).toEqual({ skus: ["A"], count: 1 })
        expect(await list("loc_2")).toEqual({ skus: ["A", "B"], count: 2 })
        expect(await list(["loc_1", "loc_2"])).toEqual({ skus: ["A", "B"], count: 2 })
        expect(await list(["loc_1"])).toEqual({ skus: ["A"], count: 1 })
        expect(await list("loc_3")).toEqual({ skus: [], count: 0 })
        expect(await list([])).toEqual({ skus: [], count: 0 })
      })

      it('treats "" as a value that matches nothing, alone or in a list (Medusa Admin sends ?location_id=)', async () => {
        const [a] = await service.createInventoryItems([{ sku: "A" }, { sku: "B" }])
        await service.createInventoryLevel({ inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 1 })
        const list = async (location_id: string | string[]) => {
          const [rows, count] = await service.listInventoryItems({ location_id }, { skip: 0, take: 15 })
          return { skus: rows.map((r) => r.sku).sort(), count }
        }
        expect(await list("")).toEqual({ skus: [], count: 0 })
        expect(await list([""])).toEqual({ skus: [], count: 0 })
        expect(await list(["", "loc_1"])).toEqual({ skus: ["A"], count: 1 })
      })

      it("pages correctly when an item has levels at several matching locations", async () => {
        const created = await service.createInventoryItems([{ sku: "A" }, { sku: "B" }, { sku: "C" }])
        await service.createInventoryLevels(
          created.flatMap((item) => [
            { inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 1 },
            { inventory_item_id: item.id, location_id: "loc_2", stocked_quantity: 1 },
          ])
        )
        const [rows, count] = await service.listInventoryItems(
          { location_id: ["loc_1", "loc_2"] },
          { take: 2, order: { sku: "ASC" } }
        )
        expect(count).toBe(3)
        expect(rows.map((r) => r.sku)).toEqual(["A", "B"])
      })
    })
  })

  // ------------------------------------------------------------------ update

  describe("updateInventoryItem", () => {
    it("changes the given fields, keeps the others, and returns the row", async () => {
      const item = await service.createInventoryItem(FULL_INPUT)
      db.eventBus.clear()

      const updated = await service.updateInventoryItem(item.id, {
        title: "Renamed",
        weight: 999,
        requires_shipping: true,
        metadata: { replaced: true },
        description: null,
      })
      expect(updated).toEqual({
        ...item,
        title: "Renamed",
        weight: 999,
        requires_shipping: true,
        metadata: { replaced: true },
        description: null,
        updated_at: expect.any(Date),
      })

      const [row] = await db.query(`SELECT * FROM inventory_item WHERE id = $1`, [item.id])
      expect(row).toEqual(updated)
      expect(db.eventBus.events).toEqual([{ name: "inventory-item.updated", data: { id: item.id } }])
    })

    it("emits nothing and keeps updated_at when nothing changes", async () => {
      const item = await service.createInventoryItem(FULL_INPUT)
      const before = await itemRows()
      db.eventBus.clear()

      const same = await service.updateInventoryItem(item.id, {
        sku: FULL_INPUT.sku,
        title: FULL_INPUT.title,
        weight: FULL_INPUT.weight,
        requires_shipping: FULL_INPUT.requires_shipping,
        // same jsonb value, keys in another order
        metadata: { nested: { list: [1, 2], a: 1 }, color: "red" },
      })
      expect(same).toEqual(item)

      const empty = await service.updateInventoryItem(item.id, {})
      expect(empty).toEqual(item)

      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it("emits for a change to null", async () => {
      const item = await service.createInventoryItem({ sku: "NULLABLE", material: "steel" })
      db.eventBus.clear()
      const updated = await service.updateInventoryItem(item.id, { material: null })
      expect(updated.material).toBeNull()
      expect(db.eventBus.events).toEqual([{ name: "inventory-item.updated", data: { id: item.id } }])
      // and setting null again is not a change
      db.eventBus.clear()
      await service.updateInventoryItem(item.id, { material: null })
      expect(db.eventBus.events).toEqual([])
    })

    it("throws NOT_FOUND for an unknown id", async () => {
      await service.createInventoryItem({ sku: "THERE" })
      const before = await itemRows()
      db.eventBus.clear()
      const error = await expectMedusaError(
        service.updateInventoryItem("iitem_missing", { title: "x" }),
        MedusaError.Types.NOT_FOUND
      )
      expect(error.message).toBe("InventoryItem with id iitem_missing was not found")
      await expectMedusaError(service.updateInventoryItem("iitem_missing", {}), MedusaError.Types.NOT_FOUND)
      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it("throws NOT_FOUND for a soft-deleted item and leaves it untouched", async () => {
      const item = await service.createInventoryItem({ sku: "DELETED", title: "old" })
      await service.deleteInventoryItem(item.id)
      const before = await itemRows()
      db.eventBus.clear()
      await expectMedusaError(service.updateInventoryItem(item.id, { title: "new" }), MedusaError.Types.NOT_FOUND)
      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it("throws DUPLICATE_ERROR for another item's sku and changes nothing", async () => {
      await service.createInventoryItem({ sku: "FIRST" })
      const second = await service.createInventoryItem({ sku: "SECOND" })
      const before = await itemRows()
      db.eventBus.clear()

      const duplicate = await expectMedusaError(
        service.updateInventoryItem(second.id, { sku: "FIRST", title: "changed" }),
        MedusaError.Types.DUPLICATE_ERROR,
        { exact: SKU_TAKEN }
      )
      expect(medusaApiDuplicateMessage(duplicate)).toBe("Inventory_item with sku FIRST already exists.")
      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it("allows taking the sku of a soft-deleted item", async () => {
      const old = await service.createInventoryItem({ sku: "RECYCLED" })
      const item = await service.createInventoryItem({ sku: "NEW" })
      await service.deleteInventoryItem(old.id)
      const updated = await service.updateInventoryItem(item.id, { sku: "RECYCLED" })
      expect(updated.sku).toBe("RECYCLED")
    })

    it.each([
      ["a string weight", { weight: "heavy" }, "weight"],
      ["a fractional height", { height: 2.5 }, "height"],
      ["an unknown field", { colour: "red" }, "colour"],
      ["a string requires_shipping", { requires_shipping: "no" }, "requires_shipping"],
      ["metadata as an array", { metadata: [1] }, "metadata"],
    ])("rejects %s with INVALID_DATA and changes nothing", async (_label, input, field) => {
      const item = await service.createInventoryItem(FULL_INPUT)
      const before = await itemRows()
      db.eventBus.clear()
      await expectMedusaError(
        service.updateInventoryItem(item.id, { title: "changed", ...(input as any) }),
        MedusaError.Types.INVALID_DATA,
        { contains: field }
      )
      expect(await itemRows()).toEqual(before)
      expect(db.eventBus.events).toEqual([])
    })

    it("rejects a null input with INVALID_DATA", async () => {
      const item = await service.createInventoryItem({ sku: "X" })
      await expectMedusaError(service.updateInventoryItem(item.id, null as any), MedusaError.Types.INVALID_DATA, { contains: "input" })
    })
  })

  // ------------------------------------------------------------------ delete

  describe("deleteInventoryItem", () => {
    it("soft-deletes an item (string id) and its levels", async () => {
      const [item, other] = await service.createInventoryItems([{ sku: "DEL" }, { sku: "KEEP" }])
      await service.createInventoryLevels([
        { inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: item.id, location_id: "loc_2", stocked_quantity: 2 },
        { inventory_item_id: other.id, location_id: "loc_1", stocked_quantity: 3 },
      ])
      db.eventBus.clear()

      await service.deleteInventoryItem(item.id)

      const items = await db.query<{ id: string; deleted_at: Date | null }>(
        `SELECT id, deleted_at FROM inventory_item ORDER BY sku`
      )
      expect(items).toEqual([
        { id: item.id, deleted_at: expect.any(Date) },
        { id: other.id, deleted_at: null },
      ])
      const levels = await levelRows(item.id)
      expect(levels).toHaveLength(2)
      for (const level of levels) expect(level.deleted_at).toBeInstanceOf(Date)
      const otherLevels = await levelRows(other.id)
      expect(otherLevels.map((l) => l.deleted_at)).toEqual([null])

      const [listed] = await service.listInventoryLevels({ inventory_item_id: item.id }, {})
      expect(listed).toEqual([])

      expect(db.eventBus.events).toEqual([
        { name: "inventory-level.deleted", data: { inventory_item_id: item.id } },
        { name: "inventory-item.deleted", data: { ids: item.id } },
      ])
    })

    it("soft-deletes several items (array of ids) and their levels", async () => {
      const [a, b, c] = await service.createInventoryItems([{ sku: "A" }, { sku: "B" }, { sku: "C" }])
      await service.createInventoryLevels([
        { inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: b.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: c.id, location_id: "loc_1", stocked_quantity: 1 },
      ])
      db.eventBus.clear()

      await service.deleteInventoryItem([a.id, b.id])

      const rows = await db.query<{ sku: string; item_deleted: boolean; level_deleted: boolean }>(
        `SELECT i.sku, i.deleted_at IS NOT NULL AS item_deleted, l.deleted_at IS NOT NULL AS level_deleted
           FROM inventory_item i JOIN inventory_level l ON l.inventory_item_id = i.id ORDER BY i.sku`
      )
      expect(rows).toEqual([
        { sku: "A", item_deleted: true, level_deleted: true },
        { sku: "B", item_deleted: true, level_deleted: true },
        { sku: "C", item_deleted: false, level_deleted: false },
      ])
      const [listed, count] = await service.listInventoryItems({}, {})
      expect(count).toBe(1)
      expect(listed.map((i) => i.id)).toEqual([c.id])

      expect(db.eventBus.events).toEqual([
        { name: "inventory-level.deleted", data: { inventory_item_id: [a.id, b.id] } },
        { name: "inventory-item.deleted", data: { ids: [a.id, b.id] } },
      ])
    })

    it("does not throw for unknown ids", async () => {
      const item = await service.createInventoryItem({ sku: "REAL" })
      await expect(service.deleteInventoryItem("iitem_unknown")).resolves.toBeUndefined()
      await expect(service.deleteInventoryItem(["iitem_unknown", item.id])).resolves.toBeUndefined()
      const [row] = await db.query(`SELECT deleted_at FROM inventory_item WHERE id = $1`, [item.id])
      expect(row.deleted_at).toBeInstanceOf(Date)
    })

    it("leaves an already deleted item's deleted_at as it was", async () => {
      const item = await service.createInventoryItem({ sku: "TWICE" })
      await service.deleteInventoryItem(item.id)
      const [first] = await db.query(`SELECT deleted_at::text AS d FROM inventory_item WHERE id = $1`, [item.id])
      await service.deleteInventoryItem(item.id)
      const [second] = await db.query(`SELECT deleted_at::text AS d FROM inventory_item WHERE id = $1`, [item.id])
      expect(first.d).not.toBeNull()
      expect(second.d).toBe(first.d)
    })
  })

  // ------------------------------------------------------------------ restore

  describe("restoreInventoryItem", () => {
    it("restores an item (string id) and the levels deleted with it, not one deleted earlier", async () => {
      const item = await service.createInventoryItem({ sku: "BACK" })
      await service.createInventoryLevels([
        { inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: item.id, location_id: "loc_2", stocked_quantity: 2 },
        { inventory_item_id: item.id, location_id: "loc_3", stocked_quantity: 3 },
      ])
      await service.deleteInventoryLevel(item.id, "loc_3")
      await service.deleteInventoryItem(item.id)
      db.eventBus.clear()

      await service.restoreInventoryItem(item.id)

      const [row] = await db.query(`SELECT deleted_at FROM inventory_item WHERE id = $1`, [item.id])
      expect(row.deleted_at).toBeNull()
      const levels = await levelRows(item.id)
      expect(levels.map((l) => [l.location_id, l.deleted_at === null])).toEqual([
        ["loc_1", true],
        ["loc_2", true],
        ["loc_3", false],
      ])

      const retrieved = await service.retrieveInventoryItem(item.id)
      expect(retrieved.sku).toBe("BACK")
      const [listed] = await service.listInventoryItems({ location_id: "loc_3" }, {})
      expect(listed).toEqual([])
      const [listedAt1] = await service.listInventoryItems({ location_id: "loc_1" }, {})
      expect(listedAt1.map((i) => i.id)).toEqual([item.id])

      expect(db.eventBus.events).toEqual([
        { name: "inventory-level.restored", data: { inventory_item_id: item.id } },
        { name: "inventory-item.restored", data: { ids: item.id } },
      ])
    })

    it("restores several items (array of ids)", async () => {
      const [a, b, c] = await service.createInventoryItems([{ sku: "A" }, { sku: "B" }, { sku: "C" }])
      await service.createInventoryLevels([
        { inventory_item_id: a.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: b.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: b.id, location_id: "loc_2", stocked_quantity: 1 },
        { inventory_item_id: c.id, location_id: "loc_1", stocked_quantity: 1 },
      ])
      await service.deleteInventoryLevel(b.id, "loc_2")
      await service.deleteInventoryItem([a.id, b.id, c.id])
      db.eventBus.clear()

      await service.restoreInventoryItem([a.id, b.id])

      const rows = await db.query<{ sku: string; location_id: string; item_live: boolean; level_live: boolean }>(
        `SELECT i.sku, l.location_id, i.deleted_at IS NULL AS item_live, l.deleted_at IS NULL AS level_live
           FROM inventory_item i JOIN inventory_level l ON l.inventory_item_id = i.id ORDER BY i.sku, l.location_id`
      )
      expect(rows).toEqual([
        { sku: "A", location_id: "loc_1", item_live: true, level_live: true },
        { sku: "B", location_id: "loc_1", item_live: true, level_live: true },
        { sku: "B", location_id: "loc_2", item_live: true, level_live: false },
        { sku: "C", location_id: "loc_1", item_live: false, level_live: false },
      ])

      expect(db.eventBus.events).toEqual([
        { name: "inventory-level.restored", data: { inventory_item_id: [a.id, b.id] } },
        { name: "inventory-item.restored", data: { ids: [a.id, b.id] } },
      ])
    })

    it("does not restore a level deleted separately earlier in the same caller transaction", async () => {
      const item = await service.createInventoryItem({ sku: "SAME-TX" })
      await service.createInventoryLevels([
        { inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 1 },
        { inventory_item_id: item.id, location_id: "loc_2", stocked_quantity: 2 },
      ])
      await db.dataSource.transaction(async (manager) => {
        await service.deleteInventoryLevel(item.id, "loc_2", { transactionManager: manager })
        await service.deleteInventoryItem(item.id, { transactionManager: manager })
      })

      await service.restoreInventoryItem(item.id)

      const levels = await levelRows(item.id)
      expect(levels.map((l) => [l.location_id, l.deleted_at === null])).toEqual([
        ["loc_1", true],
        ["loc_2", false],
      ])
    })

    it("throws DUPLICATE_ERROR and restores nothing when the sku was taken meanwhile", async () => {
      const old = await service.createInventoryItem({ sku: "CLASH" })
      await service.createInventoryLevel({ inventory_item_id: old.id, location_id: "loc_1", stocked_quantity: 1 })
      await service.deleteInventoryItem(old.id)
      await service.createInventoryItem({ sku: "CLASH" })
      const before = await itemRows()
      db.eventBus.clear()

      const error = await expectMedusaError(service.restoreInventoryItem(old.id), MedusaError.Types.DUPLICATE_ERROR, { exact: SKU_TAKEN })
      expect(medusaApiDuplicateMessage(error)).toBe("Inventory_item with sku CLASH already exists.")

      expect(await itemRows()).toEqual(before)
      const levels = await levelRows(old.id)
      expect(levels[0].deleted_at).toBeInstanceOf(Date)
      expect(db.eventBus.events).toEqual([])
    })

    it("leaves a live item and its levels as they are", async () => {
      const item = await service.createInventoryItem({ sku: "ALIVE" })
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id: "loc_1", stocked_quantity: 1 })
      await service.deleteInventoryLevel(item.id, "loc_1")
      await service.restoreInventoryItem(item.id)
      const [row] = await db.query(`SELECT deleted_at FROM inventory_item WHERE id = $1`, [item.id])
      expect(row.deleted_at).toBeNull()
      const levels = await levelRows(item.id)
      expect(levels[0].deleted_at).toBeInstanceOf(Date)
    })
  })

  // ------------------------------------------------------------------ caller transactions

  describe("context.transactionManager", () => {
    it("joins a committing caller transaction and emits after commit", async () => {
      const created = await db.dataSource.transaction(async (manager) => {
        const item = await service.createInventoryItem({ sku: "TX" }, { transactionManager: manager })
        // not emitted yet, and not visible outside the transaction
        expect(db.eventBus.events).toEqual([])
        expect(await db.query(`SELECT id FROM inventory_item WHERE id = $1`, [item.id])).toEqual([])
        // visible inside it
        const [inside] = await manager.query(`SELECT sku FROM inventory_item WHERE id = $1`, [item.id])
        expect(inside).toEqual({ sku: "TX" })
        return item
      })

      const rows = await db.query(`SELECT id, sku FROM inventory_item`)
      expect(rows).toEqual([{ id: created.id, sku: "TX" }])
      expect(db.eventBus.events).toEqual([{ name: "inventory-item.created", data: { ids: [created.id] } }])
    })

    it("writes nothing and emits nothing when the caller transaction rolls back", async () => {
      let createdId: string | undefined
      await expect(
        db.dataSource.transaction(async (manager) => {
          const item = await service.createInventoryItem({ sku: "ROLLBACK" }, { transactionManager: manager })
          createdId = item.id
          throw new Error("caller rolls back")
        })
      ).rejects.toThrow("caller rolls back")

      expect(createdId).toMatch(/^iitem_/)
      expect(await itemRows()).toEqual([])
      expect(db.eventBus.events).toEqual([])
      await expectMedusaError(service.retrieveInventoryItem(createdId as string), MedusaError.Types.NOT_FOUND)
    })

    it("emits the events of several calls only once the caller transaction commits", async () => {
      const id = await db.dataSource.transaction(async (manager) => {
        const item = await service.createInventoryItem({ sku: "MULTI" }, { transactionManager: manager })
        await service.updateInventoryItem(item.id, { title: "in tx" }, { transactionManager: manager })
        expect(db.eventBus.events).toEqual([])
        return item.id
      })
      expect(db.eventBus.events).toEqual([
        { name: "inventory-item.created", data: { ids: [id] } },
        { name: "inventory-item.updated", data: { id } },
      ])
      const [row] = await db.query(`SELECT title FROM inventory_item WHERE id = $1`, [id])
      expect(row.title).toBe("in tx")
    })
  })
})
