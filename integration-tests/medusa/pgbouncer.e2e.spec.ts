import { sharedPgBouncer } from "../utils/pgbouncer"
import { Api, installExampleApp, readyCart, setupStore, startExampleApp } from "./medusa-app"

/**
 * A real Medusa 1.20.11 store whose server reaches PostgreSQL through PgBouncer in transaction
 * mode (Debian's pgbouncer 1.18), as stores on managed poolers do (`medusa migrations run`
 * runs on a direct connection, as poolers recommend for DDL). The admin and store scenario
 * includes the calls that failed there with named prepared statements: the item list filtered
 * by id and location, and POST /admin/reservations. No request may answer 5xx; the same
 * scenario runs on @medusajs/inventory@1.11.7 behind the same pooler.
 */

async function scenario(app: { url: string; logs: () => string }, sku: string): Promise<string[]> {
  const admin = new Api(app.url)
  await admin.login()
  const store = new Api(app.url)
  const failures: string[] = []
  const check = async (method: string, route: string, body?: unknown) => {
    const result = await admin.request(method, route, body)
    if (result.status >= 500) failures.push(`${method} ${route} -> ${result.status} ${JSON.stringify(result.body).slice(0, 200)}`)
    return result
  }

  const fixture = await setupStore(admin, sku, 10)
  const { itemId, locationId } = fixture
  // The calls that broke behind the pooler, several times over (each transaction may land on another server connection).
  for (let i = 0; i < 10; i++) {
    const list = await check("GET", `/admin/inventory-items?id=${itemId}&location_id=${locationId}`)
    expect(list.body.inventory_items?.[0]?.location_levels?.[0]).toMatchObject({ stocked_quantity: 10 })
  }
  const reservation = await check("POST", "/admin/reservations", { inventory_item_id: itemId, location_id: locationId, quantity: 2 })
  expect(reservation.status).toBe(200)
  await check("POST", `/admin/reservations/${reservation.body.reservation.id}`, { quantity: 3 })
  await check("GET", `/admin/reservations?location_id[]=${locationId}&expand=inventory_item`)
  await check("POST", `/admin/inventory-items/${itemId}/location-levels/${locationId}`, { stocked_quantity: 12 })
  const levels = await check("GET", `/admin/inventory-items/${itemId}/location-levels`)
  expect(levels.body.inventory_item.location_levels[0]).toMatchObject({ stocked_quantity: 12, reserved_quantity: 3 })
  await check("DELETE", `/admin/reservations/${reservation.body.reservation.id}`)

  // A checkout through the pooler: it reserves, and a fulfilment consumes the reservation.
  const cartId = await readyCart(store, fixture, 2)
  const completed = await store.request("POST", `/store/carts/${cartId}/complete`)
  expect(completed.status).toBe(200)
  const order = completed.body.data
  const { reservations } = (await check("GET", `/admin/orders/${order.id}/reservations`)).body
  expect(reservations).toEqual([expect.objectContaining({ quantity: 2, location_id: locationId })])
  await check("POST", `/admin/orders/${order.id}/fulfillment`, { items: [{ item_id: order.items[0].id, quantity: 2 }], location_id: locationId })
  const after = await check("GET", `/admin/inventory-items/${itemId}/location-levels`)
  expect(after.body.inventory_item.location_levels[0]).toMatchObject({ stocked_quantity: 10, reserved_quantity: 0 })
  return failures
}

describe("in a Medusa 1.20 backend behind PgBouncer (transaction mode)", () => {
  beforeAll(async () => {
    await installExampleApp()
  }, 600_000)

  it.each([
    ["medusa-inventory-typeorm", {}],
    ["@medusajs/inventory@1.11.7", { INVENTORY_MODULE: "@medusajs/inventory" }],
  ])("%s: the admin and store scenario answers no 5xx", async (_name, env) => {
    const pooler = await sharedPgBouncer()
    const app = await startExampleApp(env as Record<string, string>, { serverDatabaseUrl: (database) => pooler.url(database) })
    try {
      expect(await scenario(app, `POOLED-${Date.now()}`)).toEqual([])
      expect(app.loadErrors()).toEqual([])
      expect(app.logs()).not.toMatch(/prepared statement/)
    } finally {
      await app.stop()
    }
  })
})
