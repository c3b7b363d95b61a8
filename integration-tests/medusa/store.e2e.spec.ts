import { Api, installExampleApp, readyCart, RunningApp, setupStore, startExampleApp } from "./medusa-app"

/**
 * The store flow of a real Medusa 1.20.11 backend on this module: availability, a refused
 * over-sized line item, a checkout that reserves, a fulfilment that consumes the reservation,
 * and a stock location deletion that removes its levels and reservations.
 */
describe("in a Medusa 1.20 backend: the store flow", () => {
  let app: RunningApp
  let admin: Api
  let store: Api

  beforeAll(async () => {
    await installExampleApp()
    app = await startExampleApp()
    admin = new Api(app.url)
    await admin.login()
    store = new Api(app.url)
  }, 600_000)

  afterAll(async () => {
    await app?.stop()
  })

  it("sells from stock through the module: availability, reservation, fulfilment, location deletion", async () => {
    const fixture = await setupStore(admin, "E2E-MUG", 10)
    const { productId, salesChannelId, itemId, locationId, variantId } = fixture

    // The store sees 10 available.
    const shown = await store.ok("GET", `/store/products/${productId}?sales_channel_id=${salesChannelId}`)
    expect(shown.product.variants[0].inventory_quantity).toBe(10)

    // 11 cannot go into a cart; 2 can, and check out.
    const { cart: probe } = await store.ok("POST", "/store/carts", { region_id: fixture.regionId, sales_channel_id: salesChannelId })
    const tooMany = await store.request("POST", `/store/carts/${probe.id}/line-items`, { variant_id: variantId, quantity: 11 })
    expect(tooMany.status).toBeGreaterThanOrEqual(400)
    const cartId = await readyCart(store, fixture, 2)
    const completed = await store.ok("POST", `/store/carts/${cartId}/complete`)
    expect(completed.type).toBe("order")
    const order = completed.data

    // The order holds a reservation of 2: reserved 2, available 8.
    const { reservations } = await admin.ok("GET", `/admin/orders/${order.id}/reservations`)
    expect(reservations).toEqual([expect.objectContaining({ quantity: 2, location_id: locationId, inventory_item_id: itemId })])
    const levels = await admin.ok("GET", `/admin/inventory-items/${itemId}/location-levels`)
    expect(levels.inventory_item.location_levels[0]).toMatchObject({ stocked_quantity: 10, reserved_quantity: 2 })
    const after = await store.ok("GET", `/store/products/${productId}?sales_channel_id=${salesChannelId}`)
    expect(after.product.variants[0].inventory_quantity).toBe(8)

    // Fulfilling takes stocked to 8 and consumes the reservation.
    await admin.ok("POST", `/admin/orders/${order.id}/fulfillment`, {
      items: [{ item_id: order.items[0].id, quantity: 2 }],
      location_id: locationId,
    })
    const fulfilled = await admin.ok("GET", `/admin/inventory-items/${itemId}/location-levels`)
    expect(fulfilled.inventory_item.location_levels[0]).toMatchObject({ stocked_quantity: 8, reserved_quantity: 0 })
    expect((await admin.ok("GET", `/admin/orders/${order.id}/reservations`)).reservations).toEqual([])

    // Deleting the stock location removes its levels and reservations.
    await admin.ok("POST", "/admin/reservations", { inventory_item_id: itemId, location_id: locationId, quantity: 1 })
    await admin.ok("DELETE", `/admin/stock-locations/${locationId}`)
    expect((await admin.ok("GET", `/admin/inventory-items/${itemId}/location-levels`)).inventory_item.location_levels).toEqual([])
    expect((await admin.ok("GET", `/admin/reservations?location_id[]=${locationId}`)).count).toBe(0)

    expect(app.loadErrors()).toEqual([])
    // The example's loader (dist/loaders/guard-db-pool.js) guarded Medusa's own pool.
    expect(app.logs()).toContain("Medusa's database pool is guarded")
  })
})
