import { MedusaError } from "@medusajs/utils"
import InventoryService from "../../src/services/inventory"
import { reservedDrift, setupTestDatabase, TestDatabase } from "../utils/database"

/**
 * Invariants I1–I3 and I5 under concurrent calls, checked with SQL afterwards. The pool has
 * 10 connections, like Medusa's default, and every scenario fires at least 50 calls at once.
 */
describe("under concurrency", () => {
  let db: TestDatabase
  let service: InventoryService

  beforeAll(async () => {
    db = await setupTestDatabase("mit_conc", 10)
    service = db.service()
  })
  afterEach(async () => {
    expect(await reservedDrift(db)).toEqual([])
    await db.truncate()
  })
  afterAll(async () => {
    await db.close()
  })

  async function stockedItem(locations: Record<string, number>, sku = "CONC") {
    const item = await service.createInventoryItem({ sku })
    for (const [location_id, stocked_quantity] of Object.entries(locations)) {
      await service.createInventoryLevel({ inventory_item_id: item.id, location_id, stocked_quantity })
    }
    return item
  }

  async function level(itemId: string, locationId: string) {
    const [row] = await db.query(
      `SELECT stocked_quantity, reserved_quantity FROM inventory_level
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`,
      [itemId, locationId]
    )
    return row as { stocked_quantity: number; reserved_quantity: number }
  }

  it("200 concurrent adjustInventory(+1) from 0 end at exactly 200 (I1)", async () => {
    const item = await stockedItem({ loc: 0 })
    await Promise.all(Array.from({ length: 200 }, () => service.adjustInventory(item.id, "loc", 1)))
    expect((await level(item.id, "loc")).stocked_quantity).toBe(200)
  })

  it("100 concurrent mixed adjustments sum exactly", async () => {
    const item = await stockedItem({ loc: 1000 })
    const deltas = Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? -7 : 5))
    await Promise.all(deltas.map((d) => service.adjustInventory(item.id, "loc", d)))
    expect((await level(item.id, "loc")).stocked_quantity).toBe(1000 + deltas.reduce((a, b) => a + b, 0))
  })

  it("50 concurrent quantity updates of one reservation leave no drift (I2)", async () => {
    const item = await stockedItem({ loc: 100 })
    const reservation = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 1 })
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => service.updateReservationItem(reservation.id, { quantity: 1 + ((i * 7) % 13) }))
    )
    const final = await service.retrieveReservationItem(reservation.id)
    expect((await level(item.id, "loc")).reserved_quantity).toBe(final.quantity)
  })

  it("50 concurrent moves of reservations between two locations leave no drift", async () => {
    const item = await stockedItem({ a: 100, b: 100 })
    const reservations = await service.createReservationItems(
      Array.from({ length: 5 }, () => ({ inventory_item_id: item.id, location_id: "a", quantity: 2 }))
    )
    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        service.updateReservationItem(reservations[i % 5].id, {
          location_id: i % 2 ? "a" : "b",
          quantity: 1 + (i % 4),
        })
      )
    )
    const a = await level(item.id, "a")
    const b = await level(item.id, "b")
    const [live] = await db.query(`SELECT sum(quantity)::int AS q FROM reservation_item WHERE deleted_at IS NULL`)
    expect(a.reserved_quantity + b.reserved_quantity).toBe(live.q)
  })

  it("the same reservation deleted 50 times at once is released once", async () => {
    const item = await stockedItem({ loc: 10 })
    const keep = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 4 })
    const doomed = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 3 })
    await Promise.all(Array.from({ length: 50 }, () => service.deleteReservationItem(doomed.id)))
    expect((await level(item.id, "loc")).reserved_quantity).toBe(keep.quantity)
  })

  it("concurrent deletes by line item, by location and by id overlap without double release", async () => {
    const item = await stockedItem({ a: 100, b: 100 })
    const inputs = Array.from({ length: 60 }, (_, i) => ({
      inventory_item_id: item.id,
      location_id: i % 2 ? "a" : "b",
      quantity: 1 + (i % 3),
      line_item_id: `li_${i % 6}`,
    }))
    const created = await service.createReservationItems(inputs)
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) => service.deleteReservationItemsByLineItem(`li_${i}`)),
      ...created.slice(0, 40).map((r) => service.deleteReservationItem(r.id)),
      service.deleteReservationItemByLocationId("a"),
      service.deleteReservationItem(created.map((r) => r.id)),
    ])
    expect((await level(item.id, "a")).reserved_quantity).toBe(0)
    expect((await level(item.id, "b")).reserved_quantity).toBe(0)
  })

  it("reservations created while their location is being cleared leave no drift", async () => {
    const item = await stockedItem({ a: 1000 })
    await Promise.all([
      ...Array.from({ length: 50 }, () =>
        service.createReservationItem({ inventory_item_id: item.id, location_id: "a", quantity: 1 })
      ),
      ...Array.from({ length: 5 }, () => service.deleteReservationItemByLocationId("a")),
    ])
    const [live] = await db.query(`SELECT count(*)::int AS n FROM reservation_item WHERE deleted_at IS NULL`)
    expect((await level(item.id, "a")).reserved_quantity).toBe(live.n)
  })

  it("50 carts against stock 10: strictReservations lets exactly 10 reserve (I5)", async () => {
    const strict = db.service({ strictReservations: true })
    const item = await stockedItem({ loc: 10 })
    const outcomes = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        if (!(await strict.confirmInventory(item.id, ["loc"], 1))) return "unavailable"
        try {
          await strict.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 1, line_item_id: `li_${i}` })
          return "reserved"
        } catch (error) {
          expect(error).toMatchObject({ type: MedusaError.Types.NOT_ALLOWED, code: MedusaError.Codes.INSUFFICIENT_INVENTORY })
          return "refused"
        }
      })
    )
    expect(outcomes.filter((o) => o === "reserved")).toHaveLength(10)
    const after = await level(item.id, "loc")
    expect(after.reserved_quantity).toBe(10)
    expect(after.stocked_quantity - after.reserved_quantity).toBe(0)
  })

  it("50 carts against stock 10 without the guard all reserve (backorders), with no drift", async () => {
    const item = await stockedItem({ loc: 10 })
    await Promise.all(
      Array.from({ length: 50 }, () => service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 1 }))
    )
    expect((await level(item.id, "loc")).reserved_quantity).toBe(50)
  })

  it("bulk reservations over shared levels in opposite orders do not deadlock", async () => {
    const item = await stockedItem({ a: 1000, b: 1000, c: 1000 })
    const locations = ["a", "b", "c"]
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const order = i % 2 ? locations : [...locations].reverse()
        return service.createReservationItems(order.map((location_id) => ({ inventory_item_id: item.id, location_id, quantity: 1 })))
      })
    )
    for (const location of locations) expect((await level(item.id, location)).reserved_quantity).toBe(60)
  })

  it("concurrent bulk level updates in opposite orders all apply", async () => {
    const item = await stockedItem({ a: 0, b: 0, c: 0 })
    const locations = ["a", "b", "c"]
    await Promise.all(
      Array.from({ length: 60 }, (_, i) => {
        const order = i % 2 ? locations : [...locations].reverse()
        return service.updateInventoryLevels(order.map((location_id) => ({ inventory_item_id: item.id, location_id, incoming_quantity: i })))
      })
    )
    // Every call committed (a deadlock would have rejected Promise.all); each level holds one of the values.
    const rows = await db.query(`SELECT location_id, incoming_quantity FROM inventory_level ORDER BY location_id`)
    expect(rows.map((r) => r.location_id)).toEqual(locations)
    for (const row of rows) expect(row.incoming_quantity).toBeGreaterThanOrEqual(0)
    for (const row of rows) expect(row.incoming_quantity).toBeLessThan(60)
    expect(db.eventBus.names().filter((n) => n === "inventory-level.updated").length).toBeGreaterThanOrEqual(3)
  })

  it("200 concurrent calls of every method on a pool of 10 complete (no call waits for a second connection)", async () => {
    const item = await stockedItem({ loc: 1_000_000 })
    const reservation = await service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 1 })
    const calls: Record<string, (i: number) => Promise<unknown>> = {
      listInventoryItems: () => service.listInventoryItems({ q: "CON" }),
      listInventoryLevels: () => service.listInventoryLevels({ inventory_item_id: item.id }),
      listReservationItems: () => service.listReservationItems({ inventory_item_id: item.id }),
      retrieveInventoryItem: () => service.retrieveInventoryItem(item.id),
      retrieveInventoryLevel: () => service.retrieveInventoryLevel(item.id, "loc"),
      retrieveReservationItem: () => service.retrieveReservationItem(reservation.id),
      createInventoryItem: (i) => service.createInventoryItem({ sku: `N-${i}` }),
      createInventoryItems: (i) => service.createInventoryItems([{ sku: `M-${i}` }]),
      createInventoryLevel: (i) => service.createInventoryLevel({ inventory_item_id: item.id, location_id: `l-${i}`, stocked_quantity: 1 }),
      createInventoryLevels: (i) => service.createInventoryLevels([{ inventory_item_id: item.id, location_id: `k-${i}`, stocked_quantity: 1 }]),
      updateInventoryLevel: (i) => service.updateInventoryLevel(item.id, "loc", { incoming_quantity: i }),
      updateInventoryLevels: (i) => service.updateInventoryLevels([{ inventory_item_id: item.id, location_id: "loc", incoming_quantity: i }]),
      updateInventoryItem: (i) => service.updateInventoryItem(item.id, { title: `t${i}` }),
      createReservationItem: () => service.createReservationItem({ inventory_item_id: item.id, location_id: "loc", quantity: 1 }),
      createReservationItems: () => service.createReservationItems([{ inventory_item_id: item.id, location_id: "loc", quantity: 1 }]),
      updateReservationItem: (i) => service.updateReservationItem(reservation.id, { quantity: 1 + (i % 5) }),
      adjustInventory: () => service.adjustInventory(item.id, "loc", 1),
      confirmInventory: () => service.confirmInventory(item.id, ["loc"], 1),
      retrieveAvailableQuantity: () => service.retrieveAvailableQuantity(item.id, ["loc"]),
      retrieveStockedQuantity: () => service.retrieveStockedQuantity(item.id, ["loc"]),
      retrieveReservedQuantity: () => service.retrieveReservedQuantity(item.id, ["loc"]),
      deleteReservationItemsByLineItem: (i) => service.deleteReservationItemsByLineItem(`none-${i}`),
      deleteReservationItem: (i) => service.deleteReservationItem(`resitem_none_${i}`),
      deleteReservationItemByLocationId: (i) => service.deleteReservationItemByLocationId(`none-${i}`),
      deleteInventoryLevel: (i) => service.deleteInventoryLevel(item.id, `l-${i}`),
      deleteInventoryItemLevelByLocationId: (i) => service.deleteInventoryItemLevelByLocationId(`k-${i}`),
      deleteInventoryItem: (i) => service.deleteInventoryItem(`iitem_none_${i}`),
      restoreInventoryItem: (i) => service.restoreInventoryItem(`iitem_none_${i}`),
    }
    expect(Object.keys(calls)).toHaveLength(28)
    for (const [name, call] of Object.entries(calls)) {
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => call(i)))
      const failures = results.filter((r) => r.status === "rejected")
      expect({ name, failures: failures.map((f) => String((f as PromiseRejectedResult).reason)).slice(0, 3) }).toEqual({
        name,
        failures: [],
      })
    }
  })
})
