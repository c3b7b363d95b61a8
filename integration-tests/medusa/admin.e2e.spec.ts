import { Client } from "pg"
import { appEnv, medusaCommand } from "../../scripts/example-app"
import { freePort } from "../../src/tools/net"
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../utils/database"
import { Api, installExampleApp, RunningApp, startExampleApp } from "./medusa-app"

/**
 * A real Medusa 1.20.11 backend (examples/medusa-backend) with this package installed from its
 * tarball as `inventoryService`, in Medusa's default shared mode, driven over HTTP.
 */
describe("in a Medusa 1.20 backend: migrations, boot and the admin inventory API", () => {
  let app: RunningApp
  let api: Api

  beforeAll(async () => {
    await installExampleApp()
    app = await startExampleApp()
    api = new Api(app.url)
    await api.login()
  }, 600_000)

  afterAll(async () => {
    await app?.stop()
  })

  it("`medusa migrations run` made our tables and indexes, and no module failed to load", async () => {
    const client = new Client({ connectionString: app.databaseUrl })
    await client.connect()
    try {
      const { rows: tables } = await client.query(
        `SELECT table_name FROM information_schema.tables
          WHERE table_name IN ('inventory_item', 'inventory_level', 'reservation_item') ORDER BY 1`
      )
      expect(tables.map((t) => t.table_name)).toEqual(["inventory_item", "inventory_level", "reservation_item"])
      const { rows: indexes } = await client.query(
        `SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('inventory_item', 'inventory_level')`
      )
      const byName = Object.fromEntries(indexes.map((i) => [i.indexname, i.indexdef]))
      expect(byName["UQ_inventory_level_inventory_item_id_location_id"]).toMatch(/WHERE \(deleted_at IS NULL\)/)
      expect(byName["IDX_inventory_item_sku"]).toMatch(/WHERE \(deleted_at IS NULL\)/)
      expect(byName["IDX_inventory_item_search_trgm"]).toBeDefined()
    } finally {
      await client.end()
    }
    expect(app.loadErrors()).toEqual([])
  })

  it("`medusa migrations run` with module options migrates the store's database, not libpq's default one", async () => {
    // With options in the module's entry, Medusa 1.20 runs every module's migrations once more
    // after its link migrations, passing `options.database` as `{ clientUrl, driverOptions }`.
    const name = uniqueDatabaseName("mit_e2e_opts")
    const url = await createDatabase(name)
    try {
      const env = appEnv(url, await freePort(), { STRICT_RESERVATIONS: "true" })
      delete env.PGDATABASE
      const output = await medusaCommand(["migrations", "run"], env)
      expect(output).not.toMatch(/no PostgreSQL user name specified|Inventory module migration failed/)
      // Medusa ran them in its own DataSource first (shared resources): nothing left to apply.
      expect(output).toContain("Inventory module migrations: 0 applied")
      const client = new Client({ connectionString: url })
      await client.connect()
      try {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'inventory_movement'`)
        expect(rows[0].n).toBe(1)
      } finally {
        await client.end()
      }
    } finally {
      await dropDatabase(name)
    }
  }, 180_000)

  it("runs the admin inventory flow over HTTP", async () => {
    const { stock_location: main } = await api.ok("POST", "/admin/stock-locations", { name: "Main warehouse" })
    const { stock_location: empty } = await api.ok("POST", "/admin/stock-locations", { name: "Empty warehouse" })

    // A product whose variant manages inventory: Medusa creates the item through the module.
    const { product } = await api.ok("POST", "/admin/products", {
      title: "E2E Shirt",
      options: [{ title: "Size" }],
      variants: [
        {
          title: "M",
          sku: "E2E-SHIRT-M",
          manage_inventory: true,
          prices: [{ currency_code: "usd", amount: 1000 }],
          options: [{ value: "M" }],
        },
      ],
    })
    expect(product.variants).toHaveLength(1)
    const found = await api.ok("GET", "/admin/inventory-items?sku=E2E-SHIRT-M")
    expect(found.count).toBe(1)
    const item = found.inventory_items[0]
    expect(item.id).toMatch(/^iitem_/)

    // Location levels: create, duplicate (422), update, list.
    await api.ok("POST", `/admin/inventory-items/${item.id}/location-levels`, {
      location_id: main.id,
      stocked_quantity: 10,
    })
    const first = await api.ok("GET", `/admin/inventory-items/${item.id}/location-levels`)
    expect(first.inventory_item.location_levels).toEqual([
      expect.objectContaining({ location_id: main.id, stocked_quantity: 10, reserved_quantity: 0 }),
    ])
    const duplicate = await api.request("POST", `/admin/inventory-items/${item.id}/location-levels`, {
      location_id: main.id,
      stocked_quantity: 5,
    })
    expect(duplicate.status).toBe(422)
    await api.ok("POST", `/admin/inventory-items/${item.id}/location-levels/${main.id}`, { stocked_quantity: 12 })
    const levels = await api.ok("GET", `/admin/inventory-items/${item.id}/location-levels`)
    expect(levels.inventory_item.location_levels).toEqual([
      expect.objectContaining({ location_id: main.id, stocked_quantity: 12, reserved_quantity: 0 }),
    ])

    // Item lists: q, location_id, sku, paging; get and update.
    await api.ok("POST", "/admin/products", {
      title: "E2E Hat",
      options: [{ title: "Size" }],
      variants: [
        { title: "One", sku: "E2E-HAT", manage_inventory: true, prices: [{ currency_code: "usd", amount: 500 }], options: [{ value: "One" }] },
      ],
    })
    expect((await api.ok("GET", "/admin/inventory-items?q=shirt")).count).toBe(1)
    expect((await api.ok("GET", `/admin/inventory-items?location_id[]=${main.id}`)).count).toBe(1)
    expect((await api.ok("GET", "/admin/inventory-items?q=E2E")).count).toBe(2)
    const page = await api.ok("GET", "/admin/inventory-items?q=E2E&limit=1&offset=1")
    expect(page).toMatchObject({ count: 2, limit: 1, offset: 1 })
    expect(page.inventory_items).toHaveLength(1)
    const got = await api.ok("GET", `/admin/inventory-items/${item.id}`)
    expect(got.inventory_item).toMatchObject({ id: item.id, sku: "E2E-SHIRT-M" })
    const updated = await api.ok("POST", `/admin/inventory-items/${item.id}`, { origin_country: "DK", weight: 200 })
    expect(updated.inventory_item).toMatchObject({ origin_country: "DK", weight: 200 })

    // Reservations: create, list with filters and expand, update, delete.
    const { reservation } = await api.ok("POST", "/admin/reservations", {
      inventory_item_id: item.id,
      location_id: main.id,
      quantity: 3,
      description: "held for a customer",
    })
    expect(reservation).toMatchObject({ quantity: 3, location_id: main.id })
    const listed = await api.ok("GET", `/admin/reservations?location_id[]=${main.id}&inventory_item_id[]=${item.id}&expand=inventory_item`)
    expect(listed.count).toBe(1)
    expect(listed.reservations[0].inventory_item).toMatchObject({ id: item.id })
    await api.ok("POST", `/admin/reservations/${reservation.id}`, { quantity: 5 })
    const afterUpdate = await api.ok("GET", `/admin/inventory-items/${item.id}/location-levels`)
    expect(afterUpdate.inventory_item.location_levels[0]).toMatchObject({ reserved_quantity: 5 })
    const noLevel = await api.request("POST", "/admin/reservations", {
      inventory_item_id: item.id,
      location_id: empty.id,
      quantity: 1,
    })
    expect(noLevel.status).toBe(404)
    await api.ok("DELETE", `/admin/reservations/${reservation.id}`)
    const afterDelete = await api.ok("GET", `/admin/inventory-items/${item.id}/location-levels`)
    expect(afterDelete.inventory_item.location_levels[0]).toMatchObject({ reserved_quantity: 0 })

    // Delete the level, then the item.
    await api.ok("DELETE", `/admin/inventory-items/${item.id}/location-levels/${main.id}`)
    expect((await api.ok("GET", `/admin/inventory-items/${item.id}/location-levels`)).inventory_item.location_levels).toEqual([])
    await api.ok("DELETE", `/admin/inventory-items/${item.id}`)
    expect((await api.request("GET", `/admin/inventory-items/${item.id}`)).status).toBe(404)

    // An item created through POST /admin/inventory-items, for a variant that had none.
    const { product: plain } = await api.ok("POST", "/admin/products", {
      title: "E2E Poster",
      options: [{ title: "Size" }],
      variants: [
        { title: "A2", sku: "E2E-POSTER", manage_inventory: false, prices: [{ currency_code: "usd", amount: 300 }], options: [{ value: "A2" }] },
      ],
    })
    const made = await api.ok("POST", "/admin/inventory-items", {
      variant_id: plain.variants[0].id,
      sku: "E2E-POSTER-ITEM",
      title: "Poster",
    })
    expect(made.inventory_item).toMatchObject({ sku: "E2E-POSTER-ITEM" })
    expect((await api.ok("GET", "/admin/inventory-items?sku=E2E-POSTER-ITEM")).count).toBe(1)

    expect(app.loadErrors()).toEqual([])
  })
})
