import { Api, installExampleApp, setupStockedProduct, StockedProductFixture } from "./medusa-app"
import { ADMIN_EMAIL, ADMIN_PASSWORD, SharedApp, sharedApp } from "./shared-apps"

/**
 * The warehouse routes of the plugin over HTTP, in the example Medusa 1.20 backend (the shared
 * app): 401 without an admin session, 400 naming the field, 409 on conflicts, and what each
 * does to the levels that Medusa's own routes (admin levels, store availability) then show.
 */
describe("in a Medusa 1.20 backend: the warehouse routes (Stock page)", () => {
  let app: SharedApp
  let admin: Api
  let store: StockedProductFixture
  let backup: string
  let token: string

  beforeAll(async () => {
    await installExampleApp()
    app = await sharedApp("ours")
    admin = await app.admin()
    // No region: the shared app is shared with suites that make their own region for the
    // United States, and a country belongs to one region only.
    store = await setupStockedProduct(admin, `WH-${Date.now()}`, 20)
    const { stock_location } = await admin.ok("POST", "/admin/stock-locations", { name: `Backup ${Date.now()}` })
    backup = stock_location.id
    await admin.ok("POST", `/admin/inventory-items/${store.itemId}/location-levels`, { location_id: backup, stocked_quantity: 0 })
    const login = await new Api(app.url).request("POST", "/admin/auth/token", { email: ADMIN_EMAIL, password: ADMIN_PASSWORD })
    token = login.body.access_token
  }, 600_000)

  const levelRoute = (action: string, location = store.locationId) => `/admin/inventory-items/${store.itemId}/location-levels/${location}/${action}`

  /** The item's levels as Medusa's own admin route shows them. */
  async function medusaLevels(): Promise<Record<string, { stocked: number; reserved: number; incoming: number }>> {
    const { inventory_item } = await admin.ok("GET", `/admin/inventory-items/${store.itemId}/location-levels`)
    return Object.fromEntries(
      inventory_item.location_levels.map((l: any) => [l.location_id === store.locationId ? "main" : "backup", { stocked: l.stocked_quantity, reserved: l.reserved_quantity, incoming: l.incoming_quantity }])
    )
  }

  /** What the store sells: Medusa's own availability (stocked − reserved over the sales channel's locations). */
  async function storeAvailability(): Promise<number> {
    const { product } = await app.anonymous().ok("GET", `/store/products/${store.productId}?sales_channel_id=${store.salesChannelId}`)
    return product.variants[0].inventory_quantity
  }

  it("answers 401 without an admin session on every route", async () => {
    const anonymous = app.anonymous()
    const routes: [string, string][] = [
      ["GET", "/admin/stock/levels"],
      ["GET", "/admin/stock/low-stock"],
      ["GET", "/admin/stock/movements"],
      ["GET", "/admin/stock/transfers"],
      ["POST", "/admin/stock/transfers"],
      ["POST", "/admin/stock/transfers/itrf_x/receive"],
      ["POST", levelRoute("set-aside")],
      ["POST", levelRoute("release")],
      ["POST", "/admin/stock/counts/preview"],
      ["POST", "/admin/stock/counts/apply"],
    ]
    const statuses = await Promise.all(routes.map(([method, path]) => anonymous.request(method, path, method === "POST" ? {} : undefined).then((r) => [method, path, r.status])))
    expect(statuses).toEqual(routes.map(([method, path]) => [method, path, 401]))
    expect((await medusaLevels()).main.stocked).toBe(20)
  })

  it("sets units aside and releases them; Medusa's own level and store availability follow; 409 and 400 as documented", async () => {
    const aside = await admin.ok("POST", levelRoute("set-aside"), { state: "damaged", quantity: 2, reference: "RMA-1" })
    expect(aside.inventory_level).toMatchObject({ stocked_quantity: 18, unavailable: { damaged: 2, quality_control: 0, safety_stock: 0 } })
    expect((await medusaLevels()).main).toEqual({ stocked: 18, reserved: 0, incoming: 0 })
    expect(await storeAvailability()).toBe(18)

    const tooMany = await admin.request("POST", levelRoute("set-aside"), { state: "quality_control", quantity: 19 })
    expect(tooMany.status).toBe(409)
    expect(tooMany.body.message).toBe(`Not enough available stock of item ${store.itemId} at location ${store.locationId} to set aside 19 unit(s) as quality_control: 19 needed, 18 available`)
    expect(tooMany.body.data).toMatchObject({ requested: 19, available: 18 })

    const bad: [unknown, string][] = [
      [{ state: "lost", quantity: 1 }, `"input.state" must be one of "damaged", "quality_control", "safety_stock" (got "lost")`],
      [{ state: "damaged", quantity: 0 }, `"quantity" must be an integer of at least 1 (got 0)`],
      [{ state: "damaged" }, `"quantity" is required`],
      [{ state: "damaged", quantity: 1, shelf: "A" }, `Unknown field(s): "shelf"`],
    ]
    for (const [body, message] of bad) {
      const response = await admin.request("POST", levelRoute("set-aside"), body)
      expect({ status: response.status, type: response.body.type }).toEqual({ status: 400, type: "invalid_data" })
      expect(response.body.message).toContain(message)
    }
    expect((await admin.request("POST", levelRoute("set-aside", "sloc_missing"), { state: "damaged", quantity: 1 })).status).toBe(404)

    const back = await admin.ok("POST", levelRoute("release"), { state: "damaged", quantity: 1, to: "stocked" })
    expect(back.inventory_level).toMatchObject({ stocked_quantity: 19, unavailable: { damaged: 1 } })
    const over = await admin.request("POST", levelRoute("release"), { state: "damaged", quantity: 5, to: "discard" })
    expect(over.status).toBe(409)
    expect((await admin.request("POST", levelRoute("release"), { state: "damaged", quantity: 1, to: "bin" })).body.message).toContain(`"input.to" must be "stocked" or "discard"`)
    expect(await storeAvailability()).toBe(19)
  })

  it("transfers at once and in transit, lists the open ones, receives short (transfer_loss); 409, 404 and 400 as documented", async () => {
    const before = await medusaLevels()
    const now = await admin.ok("POST", "/admin/stock/transfers", { inventory_item_id: store.itemId, from_location_id: store.locationId, to_location_id: backup, quantity: 3 })
    expect(now.transfer).toMatchObject({ status: "received", quantity: 3 })
    const key = `tr-${Date.now()}`
    const send = () =>
      admin.request(
        "POST",
        "/admin/stock/transfers",
        { inventory_item_id: store.itemId, from_location_id: store.locationId, to_location_id: backup, quantity: 4, in_transit: true, reference: "TR-9" },
        { "Idempotency-Key": key }
      )
    const [first, again] = [await send(), await send()]
    expect(first.status).toBe(200)
    expect(again.body.transfer.id).toBe(first.body.transfer.id)
    const transfer = first.body.transfer
    expect(transfer).toMatchObject({ status: "in_transit", reference: "TR-9", actor: expect.stringMatching(/^usr_/) })
    expect(await medusaLevels()).toEqual({
      main: { ...before.main, stocked: before.main.stocked - 7 },
      backup: { stocked: before.backup.stocked + 3, reserved: 0, incoming: 4 },
    })
    const open = await admin.ok("GET", `/admin/stock/transfers?status=in_transit&inventory_item_id=${store.itemId}`)
    expect(open.transfers.map((t: any) => t.id)).toEqual([transfer.id])

    const short = await admin.ok("POST", `/admin/stock/transfers/${transfer.id}/receive`, { received_quantity: 3 })
    expect(short.transfer).toMatchObject({ status: "received", received_quantity: 3, lost_quantity: 1 })
    expect((await medusaLevels()).backup).toEqual({ stocked: before.backup.stocked + 6, reserved: 0, incoming: 0 })
    const twice = await admin.request("POST", `/admin/stock/transfers/${transfer.id}/receive`, { received_quantity: 3 })
    expect(twice.status).toBe(409)
    expect(twice.body.message).toContain("not in transit")
    expect((await admin.request("POST", "/admin/stock/transfers/itrf_unknown/receive", { received_quantity: 1 })).status).toBe(404)

    const short409 = await admin.request("POST", "/admin/stock/transfers", { inventory_item_id: store.itemId, from_location_id: backup, to_location_id: store.locationId, quantity: 500 })
    expect(short409.status).toBe(409)
    expect(short409.body.message).toBe(
      `Not enough available stock of item ${store.itemId} at location ${backup} to transfer 500 unit(s) to location ${store.locationId}: 500 needed, ${before.backup.stocked + 6} available`
    )
    const bad = await admin.request("POST", "/admin/stock/transfers", { inventory_item_id: store.itemId, from_location_id: backup, to_location_id: backup, quantity: 1 })
    expect(bad.status).toBe(400)
    expect(bad.body.message).toContain(`"input.to_location_id" must differ from from_location_id`)
    expect((await admin.request("POST", "/admin/stock/transfers", { inventory_item_id: store.itemId, quantity: 1 })).body.message).toBe(`"from_location_id" is required`)
    expect((await admin.request("GET", "/admin/stock/transfers?status=lost")).status).toBe(400)

    const log = await admin.ok("GET", `/admin/stock/movements?sku=${encodeURIComponent((await admin.ok("GET", `/admin/inventory-items/${store.itemId}`)).inventory_item.sku)}&reason=transfer_loss`)
    expect(log.movements).toMatchObject([{ reason: "transfer_loss", incoming_delta: -1, transfer_id: transfer.id, location_id: backup }])
  })

  it("reports low stock with available, threshold and the product; the movement log filters and pages across items", async () => {
    await app.inventory("updateInventoryLevel", store.itemId, store.locationId, { metadata: { low_stock_threshold: 500 } })
    const low = await admin.ok("GET", `/admin/stock/low-stock?location_id=${store.locationId}`)
    const level = low.levels.find((l: any) => l.inventory_item_id === store.itemId)
    const { inventory_item } = await admin.ok("GET", `/admin/inventory-items/${store.itemId}/location-levels`)
    const main = inventory_item.location_levels.find((l: any) => l.location_id === store.locationId)
    expect(level).toMatchObject({
      location_id: store.locationId,
      available_quantity: main.stocked_quantity - main.reserved_quantity,
      threshold: 500,
      product_id: store.productId,
      variant_id: store.variantId,
      unavailable: { damaged: 1 },
    })
    const levels = await admin.ok("GET", `/admin/stock/levels?q=${encodeURIComponent(level.sku)}`)
    expect(levels.levels.map((l: any) => l.location_id).sort()).toEqual([store.locationId, backup].sort())

    const page = await admin.ok("GET", `/admin/stock/movements?location_id=${store.locationId}&limit=2`)
    expect(page).toMatchObject({ limit: 2, offset: 0 })
    expect(page.movements).toHaveLength(2)
    expect(page.count).toBeGreaterThan(2)
    const next = await admin.ok("GET", `/admin/stock/movements?location_id=${store.locationId}&limit=2&offset=2`)
    expect(next.movements.map((m: any) => m.id)).not.toContain(page.movements[0].id)
    const future = await admin.ok("GET", `/admin/stock/movements?from=2999-01-01`)
    expect(future).toMatchObject({ movements: [], count: 0 })
    const today = new Date().toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const window = await admin.ok("GET", `/admin/stock/movements?reason=set_aside&from=${today}&to=${tomorrow}&sku=${encodeURIComponent(level.sku)}`)
    expect(window.movements).toMatchObject([{ reason: "set_aside", state: "damaged", damaged_delta: 2, reference: "RMA-1", sku: level.sku }])
    const badDate = await admin.request("GET", "/admin/stock/movements?from=yesterday")
    expect(badDate.status).toBe(400)
    expect(badDate.body.message).toContain(`"from" must be a date`)
    expect((await admin.ok("GET", "/admin/stock/movements?sku=NO-SUCH-SKU")).count).toBe(0)
  })

  it("previews a count file (text or JSON), applies it with compare-and-set (409 naming the row), and reports bad rows by line (400)", async () => {
    const sku = (await admin.ok("GET", `/admin/inventory-items/${store.itemId}`)).inventory_item.sku
    const current = (await medusaLevels()).main.stocked
    const csv = `sku,location_id,counted\n${sku},${store.locationId},${current + 5}\n`
    const viaText = await fetch(`${app.url}/admin/stock/counts/preview`, {
      method: "POST",
      headers: { "content-type": "text/plain", authorization: `Bearer ${token}` },
      body: csv,
    })
    expect(viaText.status).toBe(200)
    const diff = (await viaText.json()) as { rows: unknown[]; file_hash: string }
    expect(diff.rows).toEqual([{ line: 2, sku, inventory_item_id: store.itemId, location_id: store.locationId, current, counted: current + 5, delta: 5 }])
    expect((await admin.ok("POST", "/admin/stock/counts/preview", { csv })).file_hash).toBe(diff.file_hash)

    // A sale since the diff: the apply is refused, naming the row; nothing is written.
    await admin.ok("POST", levelRoute("stock"), { adjust: -1 })
    const stale = await admin.request("POST", "/admin/stock/counts/apply", { csv, expected: [current] })
    expect(stale.status).toBe(409)
    expect(stale.body.data.rows).toEqual([{ line: 2, sku, inventory_item_id: store.itemId, location_id: store.locationId, expected: current, current: current - 1 }])
    expect((await medusaLevels()).main.stocked).toBe(current - 1)
    const applied = await admin.ok("POST", "/admin/stock/counts/apply", { csv, expected: [current - 1] })
    expect(applied).toMatchObject({ replayed: false, rows: 1, changed: 1, idempotency_key: `stock-count:${diff.file_hash}` })
    expect((await medusaLevels()).main.stocked).toBe(current + 5)
    expect((await admin.ok("POST", "/admin/stock/counts/apply", { csv, expected: [current - 1] })).replayed).toBe(true)

    const bad = await admin.request("POST", "/admin/stock/counts/preview", { csv: `sku,location_id,counted\n${sku},${store.locationId},-4\nNOPE,${store.locationId},1\n` })
    expect(bad.status).toBe(400)
    expect(bad.body.data.errors).toEqual([{ line: 2, message: `"counted" must be a non-negative integer (got "-4")` }])
    const missing = await admin.request("POST", "/admin/stock/counts/apply", { csv })
    expect(missing.status).toBe(400)
    expect(missing.body.message).toContain(`"expected" must be the array`)
    expect((await admin.request("POST", "/admin/stock/counts/preview", {})).body.message).toContain(`"csv" is required`)
    // A large file passes the body limit (Medusa's default is 100 kB): 8,000 rows of unknown skus, each reported.
    const big = ["sku,location_id,counted", ...Array.from({ length: 8000 }, (_, i) => `BIG-SKU-${String(i).padStart(8, "0")},${store.locationId},${i}`)].join("\n")
    const large = await admin.request("POST", "/admin/stock/counts/preview", { csv: big })
    expect(large.status).toBe(400)
    expect(large.body.data.errors).toHaveLength(8000)
  })
})
