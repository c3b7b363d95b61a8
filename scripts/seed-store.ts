import { randomBytes } from "crypto"
import { Client } from "pg"
import { Api, readyCart } from "./example-app"

/**
 * The demo catalogue of `npm start`, made through Medusa's admin and store APIs (so through this
 * module) the first time and checked on every start: each step looks for what it would make
 * and makes it only if missing, so an interrupted first run is finished by the next one.
 */

export const ADMIN_EMAIL = "admin@medusa-test.com"
export const ADMIN_PASSWORD = "supersecret"
const REGION = "Demo Region"
const SHIPPING = "Standard Shipping"
const LOCATIONS = ["Main Warehouse", "Backup Warehouse"]
const BUYER = "demo-buyer@example.com"

interface ProductSpec {
  handle: string
  title: string
  price: number
  variants: { title: string; sku: string; stock: [number, number] }[]
}

const PRODUCTS: ProductSpec[] = [
  {
    handle: "demo-t-shirt",
    title: "Medusa T-Shirt",
    price: 1950,
    variants: [
      { title: "S", sku: "DEMO-SHIRT-S", stock: [20, 5] },
      { title: "M", sku: "DEMO-SHIRT-M", stock: [30, 10] },
      { title: "L", sku: "DEMO-SHIRT-L", stock: [15, 0] },
    ],
  },
  {
    handle: "demo-sweatshirt",
    title: "Medusa Sweatshirt",
    price: 3950,
    variants: [
      { title: "M", sku: "DEMO-SWEAT-M", stock: [12, 4] },
      { title: "L", sku: "DEMO-SWEAT-L", stock: [8, 8] },
    ],
  },
  { handle: "demo-mug", title: "Medusa Mug", price: 990, variants: [{ title: "One size", sku: "DEMO-MUG", stock: [50, 25] }] },
  { handle: "demo-cap", title: "Medusa Cap", price: 1490, variants: [{ title: "One size", sku: "DEMO-CAP", stock: [3, 0] }] },
  // None at the first-listed warehouse: the demo order's hoodie is reserved at the backup one,
  // where the stock is (the example store's allocation, "most-available"; the official module
  // and "as-listed" reserve it at the empty main warehouse).
  { handle: "demo-hoodie", title: "Medusa Hoodie", price: 4950, variants: [{ title: "One size", sku: "DEMO-HOODIE", stock: [0, 6] }] },
]

/** The demo order: a real checkout of these, reserved through the module. */
export const DEMO_ORDER: { sku: string; quantity: number }[] = [
  { sku: "DEMO-SHIRT-M", quantity: 2 },
  { sku: "DEMO-HOODIE", quantity: 1 },
]

/** What the start banner shows. */
export interface SeededStore {
  apiToken: string
  /** The inventory item of DEMO-SHIRT-M, whose levels and reservation the banner's curls show. */
  itemId: string
  orderId: string
}

export interface SeedProgress {
  /** The number of steps, known before the first. */
  start(total: number): void
  /** One step done: what it did ("created …" or "found …"). */
  step(label: string): void
  stop(): void
}

export interface SeedOptions {
  /**
   * The warehouse operations of this module's plugin (its admin routes): low-stock thresholds,
   * two damaged mugs and a transfer in transit, for the Stock page. Off for a store on another
   * inventory module, where those routes do not exist.
   */
  warehouse?: boolean
}

/** The warehouse part of the demo (SeedOptions.warehouse). */
export const DEMO_WAREHOUSE = {
  /** Levels given a low-stock threshold (metadata.low_stock_threshold): [sku, location, threshold]. */
  thresholds: [
    ["DEMO-CAP", "Main Warehouse", 5],
    ["DEMO-SWEAT-M", "Backup Warehouse", 6],
  ] as [string, string, number][],
  damaged: { sku: "DEMO-MUG", location: "Main Warehouse", quantity: 2, reference: "DEMO-RMA-1" },
  transfer: { sku: "DEMO-SHIRT-S", from: "Main Warehouse", to: "Backup Warehouse", quantity: 4, reference: "DEMO-TRANSFER-1" },
}

/** The steps, counted up front for the progress bar. */
export function seedStepCount(options: SeedOptions = {}): number {
  const variants = PRODUCTS.reduce((n, p) => n + p.variants.length, 0)
  // region, shipping, locations and their links, products, levels, api token, analytics choice, order
  // (and the thresholds, the damaged units and the transfer)
  return 2 + LOCATIONS.length * 2 + PRODUCTS.length + variants * LOCATIONS.length + 3 + (options.warehouse ? 3 : 0)
}

async function one<T>(db: Client, sql: string, params: unknown[]): Promise<T | undefined> {
  const { rows } = await db.query(sql, params)
  return rows[0] as T | undefined
}

export async function seedStore(api: Api, databaseUrl: string, progress: SeedProgress, options: SeedOptions = {}): Promise<SeededStore> {
  const db = new Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    return await seed(api, db, progress, options)
  } finally {
    await db.end()
  }
}

async function seed(api: Api, db: Client, progress: SeedProgress, options: SeedOptions): Promise<SeededStore> {
  progress.start(seedStepCount(options))
  const found = (what: string) => progress.step(`found ${what}`)
  const made = (what: string) => progress.step(`created ${what}`)

  let region = await one<{ id: string }>(db, `SELECT id FROM region WHERE name = $1 AND deleted_at IS NULL`, [REGION])
  if (region) found(REGION)
  else {
    region = (
      await api.ok("POST", "/admin/regions", {
        name: REGION,
        currency_code: "usd",
        tax_rate: 0,
        payment_providers: ["manual"],
        fulfillment_providers: ["manual"],
        countries: ["us"],
      })
    ).region as { id: string }
    made(REGION)
  }

  let shipping = await one<{ id: string }>(db, `SELECT id FROM shipping_option WHERE name = $1 AND region_id = $2 AND deleted_at IS NULL`, [SHIPPING, region.id])
  if (shipping) found(SHIPPING)
  else {
    shipping = (
      await api.ok("POST", "/admin/shipping-options", {
        name: SHIPPING,
        region_id: region.id,
        provider_id: "manual",
        data: {},
        price_type: "flat_rate",
        amount: 500,
      })
    ).shipping_option as { id: string }
    made(SHIPPING)
  }

  const { store } = await api.ok("GET", "/admin/store")
  const salesChannelId: string = store.default_sales_channel_id
  const locationIds: string[] = []
  for (const name of LOCATIONS) {
    let location = await one<{ id: string }>(db, `SELECT id FROM stock_location WHERE name = $1 AND deleted_at IS NULL`, [name])
    if (location) found(name)
    else {
      location = (await api.ok("POST", "/admin/stock-locations", { name, address: { address_1: "1 Demo Street", country_code: "us" } })).stock_location as { id: string }
      made(name)
    }
    locationIds.push(location.id)
    const linked = await one(db, `SELECT 1 FROM sales_channel_location WHERE sales_channel_id = $1 AND location_id = $2 AND deleted_at IS NULL`, [salesChannelId, location.id])
    if (linked) found(`${name} in the default sales channel`)
    else {
      await api.ok("POST", `/admin/sales-channels/${salesChannelId}/stock-locations`, { location_id: location.id })
      made(`the link of ${name} to the default sales channel`)
    }
  }

  const items = new Map<string, { itemId: string; variantId: string }>()
  for (const spec of PRODUCTS) {
    const existing = await one<{ id: string }>(db, `SELECT id FROM product WHERE handle = $1 AND deleted_at IS NULL`, [spec.handle])
    if (existing) found(spec.title)
    else {
      await api.ok("POST", "/admin/products", {
        title: spec.title,
        handle: spec.handle,
        status: "published",
        sales_channels: [{ id: salesChannelId }],
        options: [{ title: "Size" }],
        variants: spec.variants.map((v) => ({
          title: v.title,
          sku: v.sku,
          manage_inventory: true,
          prices: [{ currency_code: "usd", amount: spec.price }],
          options: [{ value: v.title }],
        })),
      })
      made(spec.title)
    }
    for (const variant of spec.variants) {
      // Medusa made an inventory item for each variant (through this module) and linked it.
      const link = await one<{ inventory_item_id: string; variant_id: string }>(
        db,
        `SELECT l.inventory_item_id, l.variant_id FROM product_variant_inventory_item l
           JOIN product_variant v ON v.id = l.variant_id
          WHERE v.sku = $1 AND v.deleted_at IS NULL AND l.deleted_at IS NULL`,
        [variant.sku]
      )
      if (!link) throw new Error(`variant ${variant.sku} has no inventory item`)
      items.set(variant.sku, { itemId: link.inventory_item_id, variantId: link.variant_id })
      for (const [i, locationId] of locationIds.entries()) {
        const level = await one(db, `SELECT 1 FROM inventory_level WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`, [link.inventory_item_id, locationId])
        if (level) found(`${variant.sku} at ${LOCATIONS[i]}`)
        else {
          await api.ok("POST", `/admin/inventory-items/${link.inventory_item_id}/location-levels`, {
            location_id: locationId,
            stocked_quantity: variant.stock[i],
          })
          made(`${variant.sku} at ${LOCATIONS[i]}: ${variant.stock[i]} in stock`)
        }
      }
    }
  }

  // An API token for the admin, so that the printed curl commands need no login.
  const admin = await one<{ id: string; api_token: string | null }>(db, `SELECT id, api_token FROM "user" WHERE email = $1 AND deleted_at IS NULL`, [ADMIN_EMAIL])
  if (!admin) throw new Error(`no admin user ${ADMIN_EMAIL}`)
  let apiToken = admin.api_token
  if (apiToken) found("the admin's API token")
  else {
    apiToken = `demo_${randomBytes(12).toString("hex")}`
    await api.ok("POST", `/admin/users/${admin.id}`, { api_token: apiToken })
    made("the admin's API token")
  }

  await answerAnalyticsQuestion(api, found, made)

  // A real checkout in the store: Medusa reserves the units through this module.
  const shirt = items.get("DEMO-SHIRT-M")!
  let order = await one<{ id: string }>(db, `SELECT id FROM "order" WHERE email = $1 ORDER BY created_at LIMIT 1`, [BUYER])
  if (order) found("the demo order")
  else {
    const lines = DEMO_ORDER.map((line) => ({ variant_id: items.get(line.sku)!.variantId, quantity: line.quantity }))
    order = await checkout(api, region.id, salesChannelId, shipping.id, lines)
    made(`a demo order of ${DEMO_ORDER.map((line) => `${line.quantity} × ${line.sku}`).join(" and ")} (reserved)`)
  }
  if (options.warehouse) await seedWarehouse(api, db, items, found, made)
  progress.stop()
  return { apiToken, itemId: shirt.itemId, orderId: order.id }
}

/**
 * The Stock page's demo, through the plugin's admin routes: low-stock thresholds (in the levels'
 * metadata, which Medusa's API has no field for, so written here directly; thresholds are not
 * stock), two damaged mugs set aside at the main warehouse, and one transfer of shirts in
 * transit from the main warehouse to the backup one.
 */
async function seedWarehouse(
  api: Api,
  db: Client,
  items: Map<string, { itemId: string }>,
  found: (what: string) => void,
  made: (what: string) => void
): Promise<void> {
  const locationId = async (name: string) => (await one<{ id: string }>(db, `SELECT id FROM stock_location WHERE name = $1 AND deleted_at IS NULL`, [name]))!.id
  const thresholds = []
  for (const [sku, location, threshold] of DEMO_WAREHOUSE.thresholds) {
    const updated = await db.query(
      `UPDATE inventory_level SET metadata = COALESCE(metadata, '{}'::jsonb) || jsonb_build_object('low_stock_threshold', $3::int)
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL AND (metadata->>'low_stock_threshold') IS NULL`,
      [items.get(sku)!.itemId, await locationId(location), threshold]
    )
    thresholds.push(updated.rowCount)
  }
  if (thresholds.some(Boolean)) made("low-stock thresholds of DEMO-CAP and DEMO-SWEAT-M")
  else found("the low-stock thresholds")

  const { damaged, transfer } = DEMO_WAREHOUSE
  const mug = items.get(damaged.sku)!.itemId
  const mugLocation = await locationId(damaged.location)
  const held = await one<{ damaged_quantity: number }>(db, `SELECT damaged_quantity FROM inventory_level WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`, [mug, mugLocation])
  if (held && held.damaged_quantity > 0) found(`${held.damaged_quantity} damaged ${damaged.sku}`)
  else {
    await api.ok("POST", `/admin/inventory-items/${mug}/location-levels/${mugLocation}/set-aside`, { state: "damaged", quantity: damaged.quantity, reference: damaged.reference })
    made(`${damaged.quantity} damaged ${damaged.sku} set aside`)
  }

  const sent = await one(db, `SELECT 1 FROM inventory_transfer WHERE reference = $1`, [transfer.reference])
  if (sent) found(`the transfer ${transfer.reference}`)
  else {
    await api.ok("POST", "/admin/stock/transfers", {
      inventory_item_id: items.get(transfer.sku)!.itemId,
      from_location_id: await locationId(transfer.from),
      to_location_id: await locationId(transfer.to),
      quantity: transfer.quantity,
      in_transit: true,
      reference: transfer.reference,
    })
    made(`a transfer of ${transfer.quantity} × ${transfer.sku} in transit (${transfer.reference})`)
  }
}

/**
 * Medusa Admin asks each user, on their first login, whether to share usage analytics, in a
 * pop-up that covers the page until answered. The demo admin answers it here (opted out), so
 * the dashboard opens on the store.
 */
async function answerAnalyticsQuestion(api: Api, found: (what: string) => void, made: (what: string) => void): Promise<void> {
  const what = "the admin's analytics answer (opted out)"
  const existing = await api.request("GET", "/admin/analytics-configs")
  if (existing.status === 200) return found(what)
  if (existing.status !== 404) throw new Error(`GET /admin/analytics-configs answered ${existing.status}: ${JSON.stringify(existing.body)}`)
  await api.ok("POST", "/admin/analytics-configs", { opt_out: true, anonymize: false })
  made(what)
}

async function checkout(
  api: Api,
  regionId: string,
  salesChannelId: string,
  shippingOptionId: string,
  lines: { variant_id: string; quantity: number }[]
): Promise<{ id: string }> {
  // The store API needs no admin token; a client of its own keeps the two apart.
  const store = new Api(api.base)
  const [first, ...more] = lines
  const cartId = await readyCart(store, { regionId, salesChannelId, shippingOptionId, variantId: first.variant_id }, first.quantity, BUYER, more)
  const completed = await store.ok("POST", `/store/carts/${cartId}/complete`)
  if (completed.type !== "order") throw new Error(`the demo checkout did not make an order: ${JSON.stringify(completed).slice(0, 300)}`)
  return { id: completed.data.id }
}
