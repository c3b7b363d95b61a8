import { Api, installExampleApp, setupStore, StoreFixture } from "./medusa-app"
import { SharedApp, sharedApp } from "./shared-apps"

/**
 * The stock ledger over HTTP, in the example Medusa 1.20 backend where the package is also
 * registered as a plugin (`medusa-inventory-typeorm/plugin`): its admin routes behind Medusa's
 * admin authentication, compare-and-set with 409, idempotency keys, the history list, and the
 * stock alerts that the example's subscribers log.
 */
describe("in a Medusa 1.20 backend: the stock ledger admin routes", () => {
  let app: SharedApp
  let admin: Api
  let store: StoreFixture

  beforeAll(async () => {
    await installExampleApp()
    app = await sharedApp("ours")
    admin = await app.admin()
    store = await setupStore(admin, `LEDGER-${Date.now()}`, 10)
  }, 600_000)

  const stockRoute = () => `/admin/inventory-items/${store.itemId}/location-levels/${store.locationId}/stock`
  const movementsRoute = (query = "") => `/admin/inventory-items/${store.itemId}/movements${query}`

  it("answers 401 without an admin session, for both routes", async () => {
    const anonymous = app.anonymous()
    expect((await anonymous.request("GET", movementsRoute())).status).toBe(401)
    expect((await anonymous.request("POST", stockRoute(), { adjust: 1 })).status).toBe(401)
    const { inventory_item } = await admin.ok("GET", `/admin/inventory-items/${store.itemId}/location-levels`)
    expect(inventory_item.location_levels[0].stocked_quantity).toBe(10)
  })

  it("sets with compare-and-set (409 when stale), adjusts, and lists the history newest first", async () => {
    const set = await admin.ok("POST", stockRoute(), { set: 15, expected: 10, reason: "cycle_count", reference: "CC-1" })
    expect(set.inventory_level).toMatchObject({ location_id: store.locationId, stocked_quantity: 15 })

    const stale = await admin.request("POST", stockRoute(), { set: 20, expected: 10 })
    expect(stale.status).toBe(409)
    expect(stale.body.message).toContain(`is 15, not the expected 10`)
    expect(stale.body.message).toContain(store.itemId)

    const adjusted = await admin.ok("POST", stockRoute(), { adjust: -3, reference: "DAMAGED-7" })
    expect(adjusted.inventory_level.stocked_quantity).toBe(12)

    const page = await admin.ok("GET", movementsRoute("?limit=2"))
    expect(page).toMatchObject({ count: 3, limit: 2, offset: 0 })
    expect(page.movements.map((m: any) => [m.reason, m.stocked_delta, m.stocked_after, m.reference])).toEqual([
      ["adjustment", -3, 12, "DAMAGED-7"],
      ["cycle_count", 5, 15, "CC-1"],
    ])
    // The admin who made the change is the movement's actor.
    expect(page.movements[0].actor).toMatch(/^usr_/)
    const rest = await admin.ok("GET", movementsRoute("?limit=2&offset=2"))
    expect(rest.movements.map((m: any) => [m.reason, m.stocked_delta])).toEqual([["level_created", 10]])
    const filtered = await admin.ok("GET", movementsRoute(`?reason=cycle_count&location_id=${store.locationId}`))
    expect(filtered.movements.map((m: any) => m.reference)).toEqual(["CC-1"])
    const elsewhere = await admin.ok("GET", movementsRoute("?location_id=sloc_nowhere"))
    expect(elsewhere).toMatchObject({ movements: [], count: 0 })
  })

  it("applies a request once per Idempotency-Key, and refuses the key for a different request", async () => {
    const key = `sync-${Date.now()}`
    const first = await admin.request("POST", stockRoute(), { adjust: 4, reference: "PO-1" }, { "Idempotency-Key": key })
    const again = await admin.request("POST", stockRoute(), { adjust: 4, reference: "PO-1" }, { "Idempotency-Key": key })
    expect([first.status, again.status]).toEqual([200, 200])
    expect(again.body.inventory_level.stocked_quantity).toBe(first.body.inventory_level.stocked_quantity)
    const { inventory_item } = await admin.ok("GET", `/admin/inventory-items/${store.itemId}/location-levels`)
    expect(inventory_item.location_levels[0].stocked_quantity).toBe(first.body.inventory_level.stocked_quantity)
    const withKey = await admin.ok("GET", movementsRoute("?reason=adjustment&limit=50"))
    expect(withKey.movements.filter((m: any) => m.idempotency_key === key)).toHaveLength(1)

    const reused = await admin.request("POST", stockRoute(), { adjust: 5, reference: "PO-1" }, { "Idempotency-Key": key })
    expect(reused.status).toBe(409)
    expect(reused.body.message).toContain(key)
  })

  it("answers 400 naming the field for bad input, and 404 for an unknown item", async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /exactly one of "set" and "adjust"/],
      [{ set: 1, adjust: 1 }, /exactly one of "set" and "adjust"/],
      [{ adjust: 1.5 }, /"adjust" must be an integer/],
      [{ set: "7" }, /"set" must be an integer/],
      [{ adjust: 1, expected: 3 }, /"expected" goes with "set"/],
      [{ adjust: 1, note: "x" }, /Unknown field\(s\): "note"/],
      [{ adjust: 1, reason: "" }, /"reason" must be a non-empty string/],
    ]
    for (const [body, message] of cases) {
      const response = await admin.request("POST", stockRoute(), body)
      expect({ body, status: response.status, type: response.body.type }).toEqual({ body, status: 400, type: "invalid_data" })
      expect(response.body.message).toMatch(message)
    }
    const badLimit = await admin.request("GET", movementsRoute("?limit=-1"))
    expect(badLimit.status).toBe(400)
    expect(badLimit.body.message).toContain(`"limit"`)
    expect((await admin.request("GET", "/admin/inventory-items/iitem_missing/movements")).status).toBe(404)
    expect((await admin.request("POST", `/admin/inventory-items/${store.itemId}/location-levels/sloc_missing/stock`, { adjust: 1 })).status).toBe(404)
  })

  it("sends stock alerts on crossings: low-stock below the threshold, out-of-stock at 0, back-in-stock above it", async () => {
    // The level's own threshold (the example app sets no lowStockThreshold option).
    await app.inventory("updateInventoryLevel", store.itemId, store.locationId, { metadata: { low_stock_threshold: 5 } })
    const before = app.logs().length
    const { inventory_level } = await admin.ok("POST", stockRoute(), { set: 6 })
    expect(inventory_level.stocked_quantity).toBe(6)
    await admin.ok("POST", stockRoute(), { set: 5 }) // 6 → 5: still at the threshold (5), no alert
    await admin.ok("POST", stockRoute(), { set: 4 }) // low-stock
    await admin.ok("POST", stockRoute(), { set: 0 }) // out-of-stock
    await admin.ok("POST", stockRoute(), { adjust: 2 }) // back-in-stock
    // Medusa's local event bus delivers staged events every few seconds.
    const alerts = () => [...app.logs().slice(before).matchAll(/\[stock-alert\] (\S+) (\{.*\})/g)].map((m) => [m[1], JSON.parse(m[2])])
    for (let i = 0; i < 60 && alerts().length < 3; i++) await new Promise((resolve) => setTimeout(resolve, 500))
    await new Promise((resolve) => setTimeout(resolve, 1500))
    expect(alerts()).toEqual([
      ["inventory-level.low-stock", expect.objectContaining({ inventory_item_id: store.itemId, location_id: store.locationId, available_quantity: 4, threshold: 5 })],
      ["inventory-level.out-of-stock", expect.objectContaining({ inventory_item_id: store.itemId, available_quantity: 0 })],
      ["inventory-level.back-in-stock", expect.objectContaining({ inventory_item_id: store.itemId, available_quantity: 2 })],
    ])
  })
})
