import { MedusaError } from "@medusajs/utils"
import type { InventoryModuleOptions } from "../../src/types"
import { reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"
import { expectMedusaError } from "../utils/errors"

/**
 * The `allocation` and `confirmPerLocation` options (README "Allocation"), against a real
 * PostgreSQL: the order of the level lists Medusa 1.20's reserveQuantity picks a location from,
 * the lists that keep their order, confirmInventory per location, strict refusals that name
 * where the stock was, bad option values, and adjustInventory without a location.
 */

type Service = ReturnType<TestDatabase["service"]>

/** Location ids whose alphabetical order is not the order their levels are made in. */
const A = "sloc_a"
const B = "sloc_b"
const C = "sloc_c"
const D = "sloc_d"

describe("InventoryService: allocation", () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await setupTestDatabase("mit_alloc", 10)
  })

  afterEach(async () => {
    await db.truncate()
  })

  afterAll(async () => {
    await db.close()
  })

  const services = new Map<string, Service>()
  /** One service per option set (each keeps its own call machinery). */
  function service(options: InventoryModuleOptions = {}): Service {
    const key = JSON.stringify(options)
    let found = services.get(key)
    if (!found) {
      found = db.service(options)
      services.set(key, found)
    }
    return found
  }

  /**
   * An item with levels made in the order given (so, by level id, as listed), each `[location,
   * stocked, reserved]`; the reserved units are real reservations.
   */
  async function itemWith(levels: [string, number, number][]): Promise<string> {
    const inventory = service()
    const item = await inventory.createInventoryItem({ sku: null, title: "item" })
    for (const [location, stocked, reserved] of levels) {
      await inventory.createInventoryLevel({ inventory_item_id: item.id, location_id: location, stocked_quantity: stocked })
      if (reserved > 0) await inventory.createReservationItem({ inventory_item_id: item.id, location_id: location, quantity: reserved })
    }
    return item.id
  }

  /** The locations of a level list, in the order listed. */
  async function order(inventory: Service, selector: Record<string, unknown>, config?: Record<string, unknown>): Promise<string[]> {
    const [levels] = await inventory.listInventoryLevels(selector, config as any)
    return levels.map((l) => l.location_id)
  }

  // Made at C (0), then A (5), then D (2 of 9 left), then B (5): available C 0, A 5, D 2, B 5.
  const SPREAD: [string, number, number][] = [
    [C, 0, 0],
    [A, 5, 0],
    [D, 9, 7],
    [B, 5, 0],
  ]
  const ALL = [A, B, C, D]

  describe("the list Medusa's reserveQuantity makes: one item (a string), a list of locations, no config", () => {
    it('"as-listed" (the default) keeps the official order: the oldest level first', async () => {
      const item = await itemWith(SPREAD)
      expect(await order(service(), { inventory_item_id: item, location_id: ALL })).toEqual([C, A, D, B])
      expect(await order(service({ allocation: "as-listed" }), { inventory_item_id: item, location_id: ALL })).toEqual([C, A, D, B])
    })

    it('"most-available": most available (stocked − reserved) first, ties by location id', async () => {
      const item = await itemWith(SPREAD)
      const inventory = service({ allocation: "most-available" })
      expect(await order(inventory, { inventory_item_id: item, location_id: ALL })).toEqual([A, B, D, C])
      // Reservations count: reserving 4 at A puts B first.
      await inventory.createReservationItem({ inventory_item_id: item, location_id: A, quantity: 4 })
      expect(await order(inventory, { inventory_item_id: item, location_id: ALL })).toEqual([B, D, A, C])
      // The count and paging follow the same order; a subset of locations is ordered alike.
      expect(await inventory.listInventoryLevels({ inventory_item_id: item, location_id: ALL }, { skip: 1, take: 2 })).toEqual([
        [expect.objectContaining({ location_id: D }), expect.objectContaining({ location_id: A })],
        4,
      ])
      expect(await order(inventory, { inventory_item_id: item, location_id: [C, A] })).toEqual([A, C])
      // A select without the quantities still sorts by them, and answers only what was selected.
      const [selected] = await inventory.listInventoryLevels({ inventory_item_id: item, location_id: ALL }, { select: ["location_id"] })
      expect(selected).toEqual([B, D, A, C].map((location_id) => ({ id: expect.any(String), location_id })))
    })

    it('"most-available" with an oversold level: negative availability is last', async () => {
      const item = await itemWith([
        [A, 1, 3],
        [B, 0, 0],
      ])
      expect(await order(service({ allocation: "most-available" }), { inventory_item_id: item, location_id: [A, B] })).toEqual([B, A])
    })

    it("{ priority }: the locations with a unit available in priority order, then those without; unnamed locations after the named ones", async () => {
      const item = await itemWith(SPREAD)
      // C (first) has nothing: D, the next, has 2; then A (named); then B, not named; then C.
      expect(await order(service({ allocation: { priority: [C, D, A] } }), { inventory_item_id: item, location_id: ALL })).toEqual([D, A, B, C])
      expect(await order(service({ allocation: { priority: [B, A] } }), { inventory_item_id: item, location_id: ALL })).toEqual([B, A, D, C])
      // Nothing available anywhere: plain priority order.
      const empty = await itemWith([
        [A, 0, 0],
        [B, 1, 1],
        [C, 0, 0],
      ])
      expect(await order(service({ allocation: { priority: [C, B] } }), { inventory_item_id: empty, location_id: [A, B, C] })).toEqual([C, B, A])
    })

    it("{ priority }: the need is one unit (the list carries no quantity), so a location with some stock comes before one with more", async () => {
      const item = await itemWith([
        [A, 2, 0],
        [B, 50, 0],
      ])
      expect(await order(service({ allocation: { priority: [A, B] } }), { inventory_item_id: item, location_id: [A, B] })).toEqual([A, B])
    })

    it("an explicit config.order always wins", async () => {
      const item = await itemWith(SPREAD)
      for (const allocation of ["most-available", { priority: [C, D] }] as const) {
        const inventory = service({ allocation })
        expect(await order(inventory, { inventory_item_id: item, location_id: ALL }, { order: { location_id: "DESC" } })).toEqual([D, C, B, A])
        expect(await order(inventory, { inventory_item_id: item, location_id: ALL }, { order: { stocked_quantity: "ASC" } })).toEqual([C, A, B, D])
      }
    })
  })

  describe("lists that keep the default order under a strategy", () => {
    const STRATEGIES = [{ allocation: "most-available" }, { allocation: { priority: [B, A] } }] as const

    it.each(STRATEGIES)("several items, one location (a string), no location filter, relations: by level id (%j)", async (options) => {
      const first = await itemWith(SPREAD)
      const second = await itemWith([
        [B, 1, 0],
        [A, 9, 0],
      ])
      const inventory = service(options)
      const asListed = service()
      const cases: [Record<string, unknown>, Record<string, unknown> | undefined][] = [
        // Medusa's admin lists (join-levels) and a storefront's availability: several items.
        [{ inventory_item_id: [first, second], location_id: ALL }, {}],
        [{ inventory_item_id: [first], location_id: ALL }, {}],
        // validateInventoryAtLocation: one location, as a string.
        [{ inventory_item_id: first, location_id: A }, undefined],
        // get-inventory-item: no location filter.
        [{ inventory_item_id: first }, undefined],
        // Relations are joined by TypeORM, in the default order.
        [{ inventory_item_id: first, location_id: ALL }, { relations: ["inventory_item"] }],
      ]
      for (const [selector, config] of cases) {
        expect({ selector, order: await order(inventory, selector, config) }).toEqual({ selector, order: await order(asListed, selector, config) })
      }
    })
  })

  describe("confirmInventory", () => {
    it("by default (and with a strategy alone): the sum over the locations, as the official module", async () => {
      const item = await itemWith([
        [A, 2, 0],
        [B, 2, 0],
      ])
      for (const inventory of [service(), service({ allocation: "most-available" })]) {
        expect(await inventory.confirmInventory(item, [A, B], 4)).toBe(true)
        expect(await inventory.confirmInventory(item, [A, B], 5)).toBe(false)
      }
    })

    it("confirmPerLocation: true only when one of the locations covers the quantity on its own", async () => {
      const item = await itemWith([
        [A, 2, 0],
        [B, 5, 2],
        [C, 9, 0],
      ])
      const inventory = service({ allocation: "most-available", confirmPerLocation: true })
      expect(await inventory.confirmInventory(item, [A, B], 3)).toBe(true)
      expect(await inventory.confirmInventory(item, [A, B], 4)).toBe(false)
      expect(await service().confirmInventory(item, [A, B], 4)).toBe(true)
      expect(await inventory.confirmInventory(item, [A, B, C], 9)).toBe(true)
      expect(await inventory.confirmInventory(item, [A, B, C], 10)).toBe(false)
      // A single location id, no location, an unknown one, and nothing asked.
      expect(await inventory.confirmInventory(item, C as unknown as string[], 9)).toBe(true)
      expect(await inventory.confirmInventory(item, [], 1)).toBe(false)
      expect(await inventory.confirmInventory(item, [], 0)).toBe(true)
      expect(await inventory.confirmInventory(item, ["sloc_none"], 1)).toBe(false)
      await expectMedusaError(inventory.confirmInventory("iitem_none", [A], 1), MedusaError.Types.NOT_FOUND, { exact: "InventoryItem with id iitem_none was not found" })
      await expectMedusaError(inventory.confirmInventory(item, [A], -1), MedusaError.Types.INVALID_DATA, { contains: '"quantity"' })
    })

    it("confirmPerLocation: many asked at once (batched into shared statements) get each its own answer", async () => {
      const items = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          itemWith([
            [A, i, 0],
            [B, 12 - i, 0],
          ])
        )
      )
      const inventory = service({ allocation: { priority: [A, B] }, confirmPerLocation: true })
      const asks = items.flatMap((item, i) => [7, 12].map((quantity) => ({ item, quantity, expected: Math.max(i, 12 - i) >= quantity })))
      const answers = await Promise.all(asks.map((ask) => inventory.confirmInventory(ask.item, [A, B], ask.quantity)))
      expect(answers).toEqual(asks.map((ask) => ask.expected))
      await expectMedusaError(
        Promise.all([...items.map((item) => inventory.confirmInventory(item, [A], 1)), inventory.confirmInventory("iitem_none", [A], 1)]),
        MedusaError.Types.NOT_FOUND
      )
    })
  })

  describe("strictReservations with a strategy: a refusal names where the stock was", () => {
    it("one item: the other locations with enough, in the strategy's order", async () => {
      const item = await itemWith([
        [A, 0, 0],
        [B, 5, 0],
        [C, 3, 0],
        [D, 2, 0],
      ])
      const mostAvailable = service({ strictReservations: true, allocation: "most-available" })
      const error = await expectMedusaError(
        mostAvailable.createReservationItem({ inventory_item_id: item, location_id: A, quantity: 3, line_item_id: "li_1" }),
        MedusaError.Types.NOT_ALLOWED,
        { exact: `Not enough stock of item ${item} at location ${A}: 0 available, 3 requested; enough at locations ${B} (5 available), ${C} (3 available)` },
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect((error as any).data.levels).toEqual([
        {
          inventory_item_id: item,
          location_id: A,
          available: 0,
          requested: 3,
          enough_at: [
            { location_id: B, available: 5 },
            { location_id: C, available: 3 },
          ],
        },
      ])
      const priority = service({ strictReservations: true, allocation: { priority: [D, C, B] } })
      await expectMedusaError(
        priority.createReservationItem({ inventory_item_id: item, location_id: A, quantity: 3 }),
        MedusaError.Types.NOT_ALLOWED,
        { exact: `Not enough stock of item ${item} at location ${A}: 0 available, 3 requested; enough at locations ${C} (3 available), ${B} (5 available)` },
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      await expectMedusaError(
        mostAvailable.createReservationItem({ inventory_item_id: item, location_id: B, quantity: 6 }),
        MedusaError.Types.NOT_ALLOWED,
        { exact: `Not enough stock of item ${item} at location ${B}: 5 available, 6 requested; no other location has enough` },
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      // Without a strategy the refusal is as before; nothing was reserved anywhere.
      await expectMedusaError(
        service({ strictReservations: true }).createReservationItem({ inventory_item_id: item, location_id: A, quantity: 3 }),
        MedusaError.Types.NOT_ALLOWED,
        { exact: `Not enough stock of item ${item} at location ${A}: 0 available, 3 requested` },
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect(await db.query(`SELECT count(*)::int AS n FROM reservation_item`)).toEqual([{ n: 0 }])
    })

    it("a kit (a line item's parts reserved in one call): the locations where every part is available", async () => {
      // Part one is most available at A, where part two has nothing: Medusa reserves both where part one's list put A first.
      const one = await itemWith([
        [A, 10, 0],
        [B, 4, 0],
        [C, 4, 0],
      ])
      const two = await itemWith([
        [A, 0, 0],
        [B, 10, 0],
        [C, 3, 0],
      ])
      const inventory = service({ strictReservations: true, allocation: "most-available" })
      expect(await order(inventory, { inventory_item_id: one, location_id: [A, B, C] })).toEqual([A, B, C])
      const error = await expectMedusaError(
        inventory.createReservationItems([
          { inventory_item_id: one, location_id: A, quantity: 4, line_item_id: "li_kit" },
          { inventory_item_id: two, location_id: A, quantity: 4, line_item_id: "li_kit" },
        ]),
        MedusaError.Types.NOT_ALLOWED,
        { exact: `Not enough stock of item ${two} at location ${A}: 0 available, 4 requested; every item reserved with it is available at location ${B}` },
        MedusaError.Codes.INSUFFICIENT_INVENTORY
      )
      expect((error as any).data.levels[0].enough_at).toEqual([{ location_id: B, parts: 2 }])
      expect(await db.query(`SELECT count(*)::int AS n FROM reservation_item`)).toEqual([{ n: 0 }])
      // Reserved where the message says, it fits.
      await inventory.createReservationItems([
        { inventory_item_id: one, location_id: B, quantity: 4, line_item_id: "li_kit" },
        { inventory_item_id: two, location_id: B, quantity: 4, line_item_id: "li_kit" },
      ])
      expect(await reservedDrift(db)).toEqual([])
    })
  })

  /**
   * Medusa 1.20's reserveQuantity, call for call: in one transaction, the levels of the first
   * part at the sales channel's locations (no config), then every part reserved at the first
   * level's location. Answers where each part was reserved, or the error.
   */
  async function reserveQuantity(
    inventory: Service,
    parts: { item: string; quantity: number }[],
    locations: string[],
    hold: () => Promise<void> = async () => undefined
  ): Promise<{ at: string[] } | { error: any }> {
    try {
      return await db.dataSource.transaction(async (manager) => {
        const context = { transactionManager: manager }
        const [levels, count] = await inventory.listInventoryLevels({ location_id: locations, inventory_item_id: parts[0].item }, undefined, context)
        if (!count) throw new Error("no levels")
        const lineItemId = `li_${Math.random().toString(36).slice(2)}`
        const reservations = await inventory.createReservationItems(
          parts.map((part) => ({ line_item_id: lineItemId, inventory_item_id: part.item, location_id: levels[0].location_id, quantity: part.quantity })),
          context
        )
        // The rest of Medusa's cart completion (the order, the payment) runs before the commit.
        await hold()
        return { at: reservations.map((r) => r.location_id) }
      })
    } catch (error) {
      return { error }
    }
  }

  describe("the reservation that follows the list in Medusa's transaction is placed where its quantity is", () => {
    it("{ priority }: past a location with some stock but not enough, to the first in priority order that has enough", async () => {
      const item = await itemWith([
        [A, 2, 0],
        [B, 1, 0],
        [C, 50, 0],
      ])
      for (const strictReservations of [false, true]) {
        const inventory = service({ allocation: { priority: [A, B, C] }, strictReservations })
        expect(await reserveQuantity(inventory, [{ item, quantity: 3 }], [A, B, C])).toEqual({ at: [C] })
        expect(await reserveQuantity(inventory, [{ item, quantity: 2 }], [A, B, C])).toEqual({ at: [A] })
        // Nothing available at A now: B's one unit is listed first and taken for a line of 1.
        expect(await reserveQuantity(inventory, [{ item, quantity: 1 }], [A, B, C])).toEqual({ at: [B] })
        await db.query(`DELETE FROM reservation_item`)
        await db.query(`UPDATE inventory_level SET reserved_quantity = 0`)
      }
    })

    it("a kit whose first part points at a location the second part lacks: both parts where both are available", async () => {
      const one = await itemWith([
        [A, 10, 0],
        [B, 4, 0],
        [C, 4, 0],
      ])
      const two = await itemWith([
        [A, 0, 0],
        [B, 3, 0],
        [C, 10, 0],
      ])
      for (const strictReservations of [false, true]) {
        // Most available of part one at A, then B and C (4 each): C is the one where part two has 4.
        const inventory = service({ allocation: "most-available", strictReservations })
        expect(await reserveQuantity(inventory, [{ item: one, quantity: 4 }, { item: two, quantity: 4 }], [A, B, C])).toEqual({ at: [C, C] })
        await db.query(`DELETE FROM reservation_item`)
        await db.query(`UPDATE inventory_level SET reserved_quantity = 0`)
      }
      // Nowhere has both: not strict, reserved where asked (as Medusa would); strict, refused naming none.
      expect(await reserveQuantity(service({ allocation: "most-available" }), [{ item: one, quantity: 5 }, { item: two, quantity: 5 }], [A, B, C])).toEqual({ at: [A, A] })
      const refused = await reserveQuantity(service({ allocation: "most-available", strictReservations: true }), [{ item: one, quantity: 9 }, { item: two, quantity: 9 }], [A, B, C])
      expect(refused).toEqual({ error: expect.objectContaining({ type: MedusaError.Types.NOT_ALLOWED, code: MedusaError.Codes.INSUFFICIENT_INVENTORY }) })
      expect((refused as any).error.message).toBe(`Not enough stock of item ${one} at location ${A}: 5 available, 9 requested; no other location has enough, Not enough stock of item ${two} at location ${A}: 0 available, 9 requested; no other location has enough`)
      expect(await reservedDrift(db)).toEqual([])
    })

    it("only the locations the list asked about, and only a reservation at the location the list put first, in the same transaction", async () => {
      const item = await itemWith([
        [A, 2, 0],
        [B, 9, 0],
        [C, 50, 0],
      ])
      const inventory = service({ allocation: { priority: [A, B, C] } })
      // C is not among the sales channel's locations here: B takes it.
      expect(await reserveQuantity(inventory, [{ item, quantity: 3 }], [A, B])).toEqual({ at: [B] })
      // A location of the caller's choosing (not the first listed) is where the reservation goes, as asked.
      const chosen = await db.dataSource.transaction(async (manager) => {
        await inventory.listInventoryLevels({ location_id: [A, B, C], inventory_item_id: item }, undefined, { transactionManager: manager })
        return await inventory.createReservationItem({ inventory_item_id: item, location_id: B, quantity: 20 }, { transactionManager: manager })
      })
      expect(chosen.location_id).toBe(B)
      // Outside a transaction, or in another one than the list's: as asked.
      expect((await inventory.createReservationItem({ inventory_item_id: item, location_id: A, quantity: 3 })).location_id).toBe(A)
      const [levels] = await inventory.listInventoryLevels({ location_id: [A, B, C], inventory_item_id: item })
      expect(levels[0].location_id).toBe(C)
      expect(
        (await db.dataSource.transaction((manager) => inventory.createReservationItem({ inventory_item_id: item, location_id: C, quantity: 60 }, { transactionManager: manager }))).location_id
      ).toBe(C)
      // A manager outside any transaction (what Medusa 1.20's swap and claim services pass) is no transaction: as asked.
      const outside = { transactionManager: db.dataSource.manager }
      const fresh = await itemWith([
        [A, 1, 0],
        [B, 9, 0],
      ])
      // In a transaction, A (a unit, first in priority) is listed first and the 3 go to B, which has them.
      expect(await reserveQuantity(inventory, [{ item: fresh, quantity: 3 }], [A, B])).toEqual({ at: [B] })
      // Outside one, the list is the same and the reservation stays where it is asked.
      const [listed] = await inventory.listInventoryLevels({ location_id: [A, B], inventory_item_id: fresh }, undefined, outside)
      expect(listed[0].location_id).toBe(A)
      expect((await inventory.createReservationItem({ inventory_item_id: fresh, location_id: A, quantity: 3 }, outside)).location_id).toBe(A)
      // As listed: never moved.
      const asListed = service()
      const other = await itemWith([
        [A, 0, 0],
        [B, 5, 0],
      ])
      expect(await reserveQuantity(asListed, [{ item: other, quantity: 3 }], [A, B])).toEqual({ at: [A] })
      expect(await reservedDrift(db)).toEqual([])
    })

    it.each([false, true])(
      "20 concurrent checkouts of 1 against 4 + 6 (strictReservations %p): the 10 units go to 10 checkouts, each where it had stock",
      async (strictReservations) => {
        for (const allocation of ["most-available", { priority: [A, B] }] as const) {
          const item = await itemWith([
            [A, 4, 0],
            [B, 6, 0],
          ])
          const inventory = service({ allocation, strictReservations })
          // Each transaction stays open a moment after reserving, as Medusa's cart completion does.
          const outcomes = await Promise.all(
            Array.from({ length: 20 }, () => reserveQuantity(inventory, [{ item, quantity: 1 }], [A, B], () => new Promise((resolve) => setTimeout(resolve, 20))))
          )
          const levels = await db.query(`SELECT location_id, stocked_quantity, reserved_quantity FROM inventory_level WHERE inventory_item_id = $1 ORDER BY location_id`, [item])
          const placed = outcomes.filter((o) => "at" in o).length
          if (strictReservations) {
            expect({ allocation, placed, levels }).toEqual({
              allocation,
              placed: 10,
              levels: [
                { location_id: A, stocked_quantity: 4, reserved_quantity: 4 },
                { location_id: B, stocked_quantity: 6, reserved_quantity: 6 },
              ],
            })
            expect(outcomes.filter((o) => "error" in o).map((o: any) => o.error.code)).toEqual(Array(10).fill(MedusaError.Codes.INSUFFICIENT_INVENTORY))
          } else {
            // Nothing refuses a reservation without strictReservations: the 10 beyond the stock are reserved where the list pointed.
            expect({ allocation, placed, reserved: levels.reduce((sum: number, l: any) => sum + l.reserved_quantity, 0) }).toEqual({ allocation, placed: 20, reserved: 20 })
            expect(levels.every((l: any) => l.reserved_quantity >= l.stocked_quantity)).toBe(true)
          }
        }
        expect(await reservedDrift(db)).toEqual([])
      }
    )
  })

  describe("adjustInventory without a location", () => {
    it.each([undefined, null])("is refused (INVALID_DATA naming location_id) with any allocation, and writes nothing (%p)", async (location) => {
      const item = await itemWith([
        [A, 5, 0],
        [B, 5, 0],
      ])
      const before = await db.query(`SELECT location_id, stocked_quantity FROM inventory_level ORDER BY location_id`)
      const movements = await db.query(`SELECT count(*)::int AS n FROM inventory_movement`)
      for (const options of [{}, { allocation: "most-available" as const }, { allocation: { priority: [B] } }]) {
        const error = await expectMedusaError(
          service(options).adjustInventory(item, location as unknown as string, 2),
          MedusaError.Types.INVALID_DATA,
          {
            exact:
              `"locationId" is required (got ${String(location)}): adjustInventory changes the stock of item ${item} at one location, its level's location_id. ` +
              "Medusa passes none for a return received without a location: receive it at a stock location",
          }
        )
        expect((error as any).data).toEqual({ field: "location_id", inventory_item_id: item })
      }
      expect(await db.query(`SELECT location_id, stocked_quantity FROM inventory_level ORDER BY location_id`)).toEqual(before)
      expect(await db.query(`SELECT count(*)::int AS n FROM inventory_movement`)).toEqual(movements)
    })
  })

  describe("bad option values fail the boot (INVALID_ARGUMENT naming the option)", () => {
    const cases: [string, unknown, string][] = [
      ["an unknown strategy", { allocation: "nearest" }, `"options.allocation" must be "as-listed", "most-available" or { priority: [location ids] } (got "nearest")`],
      ["a number", { allocation: 1 }, `"options.allocation" must be "as-listed", "most-available" or { priority: [location ids] } (got 1)`],
      ["priority as a string", { allocation: { priority: A } }, `"options.allocation" must be "as-listed", "most-available" or { priority: [location ids] }`],
      ["an empty priority list", { allocation: { priority: [] } }, `"options.allocation.priority" must name at least one location (got [])`],
      ["a location named twice", { allocation: { priority: [A, B, A] } }, `"options.allocation.priority" names a location twice`],
      ["an empty location id", { allocation: { priority: [A, ""] } }, `"options.allocation.priority.1" must not be empty`],
      ["a misspelt key", { allocation: { priorities: [A] } }, `"options.allocation" must be`],
      ["confirmPerLocation not a boolean", { allocation: "most-available", confirmPerLocation: "yes" }, `"options.confirmPerLocation" must be a boolean (got "yes")`],
      ["confirmPerLocation without a strategy", { confirmPerLocation: true }, `"options.confirmPerLocation" needs an allocation strategy`],
      ["confirmPerLocation with as-listed", { allocation: "as-listed", confirmPerLocation: true }, `"options.confirmPerLocation" needs an allocation strategy`],
    ]
    it.each(cases)("%s", async (_, options, message) => {
      let error: any
      try {
        db.service(options as InventoryModuleOptions)
      } catch (caught) {
        error = caught
      }
      expect(error).toBeDefined()
      expect({ isMedusaError: MedusaError.isMedusaError(error), type: error.type }).toEqual({ isMedusaError: true, type: MedusaError.Types.INVALID_ARGUMENT })
      expect(error.message).toContain(`Inventory module: ${message}`)
    })

    it("confirmPerLocation: false is accepted without a strategy", () => {
      expect(() => db.service({ confirmPerLocation: false })).not.toThrow()
    })
  })
})
