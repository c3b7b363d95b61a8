import { CalledError, SharedApp, sharedApp, SharedAppName } from "../shared-apps"
import { unique } from "./fixtures"

/**
 * Covers the behaviours asserted by Medusa's own v1 test
 * `integration-tests/plugins/__tests__/inventory/service.js` (medusajs/medusa, branch v1.x):
 * `inventoryService` resolved from the container of a running Medusa 1.20.11 app and called
 * directly, as a store's custom endpoint, subscriber or plugin does. Our own test code, run on
 * this module and on @medusajs/inventory@1.11.7, which must both pass.
 */

const MODULES: SharedAppName[] = ["ours", "official"]

const FULL_ITEM = {
  origin_country: "CH",
  mid_code: "mid code",
  material: "lycra",
  weight: 100,
  length: 200,
  height: 50,
  width: 50,
  metadata: { abc: 123 },
  hs_code: "hs_code 123",
  requires_shipping: true,
}

describe.each(MODULES)("inventoryService from the container (%s)", (name) => {
  let app: SharedApp
  const inventory = <T = any>(method: string, ...args: unknown[]) => app.inventory<T>(method, ...args)

  beforeAll(async () => {
    app = await sharedApp(name)
  })

  it("createInventoryItem stores and returns every field", async () => {
    const sku = unique("sku")
    const item = await inventory("createInventoryItem", { sku, ...FULL_ITEM })
    expect(item).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        sku,
        ...FULL_ITEM,
        deleted_at: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
      })
    )
  })

  it("updateInventoryItem changes the given fields and keeps the others", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku"), ...FULL_ITEM })
    const updated = await inventory("updateInventoryItem", item.id, {
      origin_country: "CZ",
      mid_code: "mid code 345",
      material: "lycra and polyester",
      weight: 500,
      metadata: { dce: 456 },
    })
    expect(updated).toEqual(
      expect.objectContaining({
        id: item.id,
        sku: item.sku,
        origin_country: "CZ",
        hs_code: item.hs_code,
        mid_code: "mid code 345",
        material: "lycra and polyester",
        weight: 500,
        length: item.length,
        height: item.height,
        width: item.width,
        requires_shipping: true,
        metadata: { dce: 456 },
        deleted_at: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
      })
    )
  })

  it("deleteInventoryItem, then retrieveInventoryItem answers not found", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku"), ...FULL_ITEM })
    await inventory("deleteInventoryItem", item.id)
    await expect(inventory("retrieveInventoryItem", item.id)).rejects.toThrow(`InventoryItem with id ${item.id} was not found`)
  })

  it("createInventoryLevel, and the stocked, available and reserved quantities over one and two locations", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku"), ...FULL_ITEM })
    const first = unique("location")
    const second = unique("location")
    const level = await inventory("createInventoryLevel", {
      inventory_item_id: item.id,
      location_id: first,
      stocked_quantity: 50,
      reserved_quantity: 15,
      incoming_quantity: 4,
    })
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: second, stocked_quantity: 10, reserved_quantity: 1 })
    expect(level).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        incoming_quantity: 4,
        inventory_item_id: item.id,
        location_id: first,
        metadata: null,
        reserved_quantity: 15,
        stocked_quantity: 50,
        deleted_at: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
      })
    )
    expect(await inventory("retrieveStockedQuantity", item.id, [first])).toBe(50)
    expect(await inventory("retrieveAvailableQuantity", item.id, [first])).toBe(35)
    expect(await inventory("retrieveReservedQuantity", item.id, [first])).toBe(15)
    expect(await inventory("retrieveStockedQuantity", item.id, [first, second])).toBe(60)
    expect(await inventory("retrieveAvailableQuantity", item.id, [first, second])).toBe(44)
    expect(await inventory("retrieveReservedQuantity", item.id, [first, second])).toBe(16)
  })

  it("updateInventoryLevel sets stocked, reserved and incoming quantities", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku"), ...FULL_ITEM })
    const location = unique("location")
    await inventory("createInventoryLevel", {
      inventory_item_id: item.id,
      location_id: location,
      stocked_quantity: 50,
      reserved_quantity: 0,
      incoming_quantity: 0,
    })
    const updated = await inventory("updateInventoryLevel", item.id, location, {
      stocked_quantity: 25,
      reserved_quantity: 4,
      incoming_quantity: 10,
    })
    expect(updated).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        incoming_quantity: 10,
        inventory_item_id: item.id,
        location_id: location,
        metadata: null,
        reserved_quantity: 4,
        stocked_quantity: 25,
        deleted_at: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
      })
    )
  })

  describe("a context whose transactionManager is not an EntityManager", () => {
    // Upstream asserts that the context reaches the module: the official module fails on the
    // bogus manager itself ("manager.getRepository is not a function"); this module refuses it
    // up front with INVALID_DATA naming the field (README, Behaviour). Either way nothing changes.
    const expectRefused = async (outcome: Promise<unknown>) => {
      const error = (await outcome.then(
        () => undefined,
        (e: unknown) => e
      )) as CalledError | undefined
      expect(error).toBeInstanceOf(CalledError)
      if (name === "official") {
        expect(error!.message).toBe("manager.getRepository is not a function")
      } else {
        expect(error!.type).toBe("invalid_data")
        expect(error!.message).toBe(`"context.transactionManager" must be a TypeORM EntityManager`)
      }
    }

    async function stockedLevel() {
      const item = await inventory("createInventoryItem", { sku: unique("sku"), ...FULL_ITEM })
      const location = unique("location")
      await inventory("createInventoryLevel", {
        inventory_item_id: item.id,
        location_id: location,
        stocked_quantity: 50,
        reserved_quantity: 0,
        incoming_quantity: 0,
      })
      return { itemId: item.id, location }
    }
    const update = { stocked_quantity: 25, reserved_quantity: 4, incoming_quantity: 10 }

    it("bulk update (updateInventoryLevels)", async () => {
      const { itemId, location } = await stockedLevel()
      await expectRefused(
        inventory("updateInventoryLevels", [{ inventory_item_id: itemId, location_id: location, ...update }], { transactionManager: {} })
      )
      expect(await inventory("retrieveStockedQuantity", itemId, [location])).toBe(50)
    })

    it("single update (updateInventoryLevel)", async () => {
      const { itemId, location } = await stockedLevel()
      await expectRefused(inventory("updateInventoryLevel", itemId, location, update, { transactionManager: {} }))
      expect(await inventory("retrieveStockedQuantity", itemId, [location])).toBe(50)
    })
  })

  it("deleteInventoryLevel, then retrieveInventoryLevel answers not found", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku"), ...FULL_ITEM })
    const location = unique("location")
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: location, stocked_quantity: 50 })
    await inventory("deleteInventoryLevel", item.id, location)
    await expect(inventory("retrieveInventoryLevel", item.id, location)).rejects.toThrow(
      `Inventory level for item ${item.id} and location ${location} not found`
    )
  })

  it("createReservationItem: refused without a level, then reserves and lowers availability", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku") })
    const location = unique("location")
    const lineItem = unique("line_item")
    const input = { line_item_id: lineItem, inventory_item_id: item.id, location_id: location, quantity: 10, metadata: { abc: 123 } }
    await expect(inventory("createReservationItem", input)).rejects.toThrow(`Item ${item.id} is not stocked at location ${location}`)

    await inventory("createInventoryLevel", {
      inventory_item_id: item.id,
      location_id: location,
      stocked_quantity: 50,
      reserved_quantity: 0,
      incoming_quantity: 0,
    })
    const reservation = await inventory("createReservationItem", input)
    expect(reservation).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        line_item_id: lineItem,
        inventory_item_id: item.id,
        location_id: location,
        quantity: 10,
        metadata: { abc: 123 },
        deleted_at: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
      })
    )
    // A single location id as a string is accepted too.
    const [available, reserved] = await Promise.all([
      inventory("retrieveAvailableQuantity", item.id, [location]),
      inventory("retrieveReservedQuantity", item.id, location),
    ])
    expect(available).toBe(40)
    expect(reserved).toBe(10)
  })

  it("updateReservationItem: a quantity change, then a move to another location with a new quantity", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku") })
    const location = unique("location")
    const newLocation = unique("location")
    const lineItem = unique("line_item")
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: location, stocked_quantity: 50, reserved_quantity: 0, incoming_quantity: 0 })
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: newLocation, stocked_quantity: 20, reserved_quantity: 5, incoming_quantity: 0 })
    const reservation = await inventory("createReservationItem", {
      line_item_id: lineItem,
      inventory_item_id: item.id,
      location_id: location,
      quantity: 15,
      metadata: { abc: 123 },
    })
    const quantities = (at: string) =>
      Promise.all([inventory("retrieveAvailableQuantity", item.id, at), inventory("retrieveReservedQuantity", item.id, at)])
    expect(await quantities(location)).toEqual([35, 15])

    const smaller = await inventory("updateReservationItem", reservation.id, { quantity: 5 })
    expect(smaller).toEqual(
      expect.objectContaining({ id: reservation.id, line_item_id: lineItem, inventory_item_id: item.id, location_id: location, quantity: 5, metadata: { abc: 123 } })
    )
    expect(await quantities(location)).toEqual([45, 5])

    const moved = await inventory("updateReservationItem", reservation.id, { quantity: 12, location_id: newLocation })
    expect(moved).toEqual(
      expect.objectContaining({ id: reservation.id, line_item_id: lineItem, inventory_item_id: item.id, location_id: newLocation, quantity: 12, metadata: { abc: 123 } })
    )
    expect(await quantities(location)).toEqual([50, 0])
    expect(await quantities(newLocation)).toEqual([3, 17])
  })

  it("deleteReservationItemsByLineItem and deleteReservationItem release what they reserved", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku") })
    const location = unique("location")
    const lineA = unique("line_item")
    const lineB = unique("line_item")
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: location, stocked_quantity: 10 })
    const single = await inventory("createReservationItem", { line_item_id: lineA, inventory_item_id: item.id, location_id: location, quantity: 1 })
    for (let i = 0; i < 3; i++) {
      await inventory("createReservationItem", { line_item_id: lineB, inventory_item_id: item.id, location_id: location, quantity: 1 })
    }
    const quantities = () =>
      Promise.all([inventory("retrieveAvailableQuantity", item.id, location), inventory("retrieveReservedQuantity", item.id, location)])
    expect(await quantities()).toEqual([6, 4])
    await inventory("deleteReservationItemsByLineItem", lineB)
    expect(await quantities()).toEqual([9, 1])
    await inventory("deleteReservationItem", single.id)
    expect(await quantities()).toEqual([10, 0])
  })

  it("confirmInventory over one location (string) and two (array)", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku") })
    const first = unique("location")
    const second = unique("location")
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: first, stocked_quantity: 10, reserved_quantity: 5 })
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: second, stocked_quantity: 6, reserved_quantity: 1 })
    expect(await inventory("confirmInventory", item.id, first, 5)).toBe(true)
    expect(await inventory("confirmInventory", item.id, [first, second], 10)).toBe(true)
    expect(await inventory("confirmInventory", item.id, first, 6)).toBe(false)
    expect(await inventory("confirmInventory", item.id, [first, second], 11)).toBe(false)
  })

  it("adjustInventory returns the level, and may take stocked below zero", async () => {
    const item = await inventory("createInventoryItem", { sku: unique("sku") })
    const first = unique("location")
    const second = unique("location")
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: first, stocked_quantity: 10, reserved_quantity: 5 })
    await inventory("createInventoryLevel", { inventory_item_id: item.id, location_id: second, stocked_quantity: 6, reserved_quantity: 1 })
    const level = (location: string, stocked: number, reserved: number) =>
      expect.objectContaining({
        id: expect.any(String),
        inventory_item_id: item.id,
        location_id: location,
        stocked_quantity: stocked,
        reserved_quantity: reserved,
        incoming_quantity: 0,
        metadata: null,
        deleted_at: null,
        created_at: expect.any(Date),
        updated_at: expect.any(Date),
      })
    expect(await inventory("adjustInventory", item.id, first, -5)).toEqual(level(first, 5, 5))
    expect(await inventory("adjustInventory", item.id, second, -10)).toEqual(level(second, -4, 1))
  })
})
