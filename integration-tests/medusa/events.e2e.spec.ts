import { Api, installExampleApp, startExampleApp } from "./medusa-app"

/**
 * The inventory events one admin flow makes Medusa deliver (counted from the local event bus's
 * log; the example app subscribes to them in dist/subscribers/inventory-events.js), on this
 * module and on @medusajs/inventory@1.11.7: the same names, the same number of times.
 */
async function eventsOfFlow(env: Record<string, string>): Promise<Record<string, number>> {
  const app = await startExampleApp(env)
  try {
    const api = new Api(app.url)
    await api.login()
    const { stock_location: location } = await api.ok("POST", "/admin/stock-locations", { name: "Events warehouse" })
    await api.ok("POST", "/admin/products", {
      title: "Events product",
      options: [{ title: "Size" }],
      variants: [
        { title: "One", sku: "EVENTS-1", manage_inventory: true, prices: [{ currency_code: "usd", amount: 100 }], options: [{ value: "One" }] },
      ],
    })
    const { inventory_items } = await api.ok("GET", "/admin/inventory-items?sku=EVENTS-1")
    const itemId = inventory_items[0].id
    await api.ok("POST", `/admin/inventory-items/${itemId}/location-levels`, { location_id: location.id, stocked_quantity: 10 })
    await api.ok("POST", `/admin/inventory-items/${itemId}/location-levels/${location.id}`, { stocked_quantity: 12 })
    const { reservation } = await api.ok("POST", "/admin/reservations", {
      inventory_item_id: itemId,
      location_id: location.id,
      quantity: 2,
    })
    await api.ok("POST", `/admin/reservations/${reservation.id}`, { quantity: 3 })
    await api.ok("DELETE", `/admin/reservations/${reservation.id}`)
    await api.ok("POST", `/admin/inventory-items/${itemId}`, { origin_country: "DK" })
    await api.ok("DELETE", `/admin/inventory-items/${itemId}/location-levels/${location.id}`)
    await api.ok("DELETE", `/admin/inventory-items/${itemId}`)
    // Medusa stages events and its enqueuer delivers them every few seconds: wait until the
    // count has settled (unchanged for 5 s, at most 40 s).
    // The local event bus logs each event it delivers: "Processing <name> which has N subscribers".
    const count = () =>
      [...app.logs().matchAll(/Processing ((?:inventory-item|inventory-level|reservation-item)\.\w+) which has/g)].map((m) => m[1])
    let seen = -1
    for (let waited = 0; waited < 40_000; waited += 5_000) {
      await new Promise((resolve) => setTimeout(resolve, 5_000))
      if (count().length === seen && seen > 0) break
      seen = count().length
    }
    const counts: Record<string, number> = {}
    for (const name of count()) counts[name] = (counts[name] ?? 0) + 1
    expect(app.loadErrors()).toEqual([])
    return counts
  } finally {
    await app.stop()
  }
}

describe("in a Medusa 1.20 backend: inventory events", () => {
  beforeAll(async () => {
    await installExampleApp()
  }, 600_000)

  it("match, by name and count, what @medusajs/inventory@1.11.7 emits for the same flow", async () => {
    const ours = await eventsOfFlow({})
    const official = await eventsOfFlow({ INVENTORY_MODULE: "@medusajs/inventory" })
    console.log(`inventory events of one admin flow:\n${JSON.stringify({ ours, official }, null, 2)}`)
    expect(ours["inventory-item.created"]).toBe(1)
    expect(ours["reservation-item.created"]).toBe(1)
    expect(ours).toEqual(official)
  })
})
