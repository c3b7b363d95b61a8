import {
  Api as BaseApi,
  appEnv,
  freePort,
  medusaCommand,
  MedusaServer,
  startMedusa,
} from "../../scripts/example-app"
import { createDatabase, databaseUrl as databaseUrl_, dropDatabase, uniqueDatabaseName } from "../utils/database"

export { APP, installExampleApp, readyCart, ROOT } from "../../scripts/example-app"

// Boots and bursts of HTTP calls: longer than the unit suites' 60 s, under either jest config.
jest.setTimeout(180_000)

/** Log lines that mean a module failed to load, even where Medusa goes on (or exits 0). */
const LOAD_ERRORS = [
  /Cannot set properties of undefined \(setting '__definition'\)/,
  /Loaders for module .* failed/,
  /Error starting server/,
  /No service found in module/,
  /migration failed/i,
  /No metadata for "?InventoryItem/,
]

export interface RunningApp {
  url: string
  databaseUrl: string
  logs: () => string
  loadErrors: () => string[]
  stop: () => Promise<void>
}

export interface StartOptions {
  /** Use this existing database (as left by an earlier app) instead of a fresh one. */
  database?: string
  /** Leave the database in place on stop, for a later app to pick up. */
  keepDatabase?: boolean
  /** Where the server (not the migrations) reaches its database, e.g. through a pooler. */
  serverDatabaseUrl?: (database: string) => string
}

/** A fresh database, `medusa migrations run`, an admin user, and the server on a free port. */
export async function startExampleApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningApp & { database: string }> {
  const name = options.database ?? uniqueDatabaseName("mit_e2e")
  const databaseUrl = options.database ? databaseUrl_(name) : await createDatabase(name)
  const baseEnv = appEnv(databaseUrl, await freePort(), env)
  let output = ""
  const loadErrors = () => LOAD_ERRORS.filter((re) => re.test(output)).map(String)
  let server: MedusaServer | undefined
  const stop = async () => {
    await server?.stop()
    if (!options.keepDatabase) await dropDatabase(name)
  }
  try {
    output += await medusaCommand(["migrations", "run"], baseEnv)
    if (!options.database) {
      output += await medusaCommand(["user", "-e", "admin@e2e.test", "-p", "supersecret"], baseEnv)
    }
    const serverEnv = options.serverDatabaseUrl ? { ...baseEnv, DATABASE_URL: options.serverDatabaseUrl(name) } : baseEnv
    server = await startMedusa(serverEnv, { onOutput: (chunk) => (output += chunk) })
    return { url: server.url, databaseUrl, database: name, logs: () => output, loadErrors, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** The admin and store API client, logging in as the e2e admin by default. */
export class Api extends BaseApi {
  override async login(email = "admin@e2e.test", password = "supersecret"): Promise<void> {
    await super.login(email, password)
  }
}

export interface StoreFixture {
  regionId: string
  shippingOptionId: string
  salesChannelId: string
  locationId: string
  productId: string
  variantId: string
  itemId: string
}

/**
 * What a store needs to sell one product from stock: a region with the manual providers, a
 * shipping option, a stock location linked to the default sales channel, and a published
 * product whose variant manages inventory, stocked at that location.
 */
export async function setupStore(admin: Api, sku: string, stock: number): Promise<StoreFixture> {
  const { region } = await admin.ok("POST", "/admin/regions", {
    name: `Region ${sku}`,
    currency_code: "usd",
    tax_rate: 0,
    payment_providers: ["manual"],
    fulfillment_providers: ["manual"],
    countries: ["us"],
  })
  const { shipping_option } = await admin.ok("POST", "/admin/shipping-options", {
    name: `Shipping ${sku}`,
    region_id: region.id,
    provider_id: "manual",
    data: {},
    price_type: "flat_rate",
    amount: 0,
  })
  const { store } = await admin.ok("GET", "/admin/store")
  const salesChannelId = store.default_sales_channel_id
  const { stock_location } = await admin.ok("POST", "/admin/stock-locations", { name: `Warehouse ${sku}` })
  await admin.ok("POST", `/admin/sales-channels/${salesChannelId}/stock-locations`, { location_id: stock_location.id })
  const { product } = await admin.ok("POST", "/admin/products", {
    title: `Product ${sku}`,
    status: "published",
    sales_channels: [{ id: salesChannelId }],
    options: [{ title: "Size" }],
    variants: [
      { title: "One", sku, manage_inventory: true, prices: [{ currency_code: "usd", amount: 800 }], options: [{ value: "One" }] },
    ],
  })
  const { inventory_items } = await admin.ok("GET", `/admin/inventory-items?sku=${sku}`)
  const itemId = inventory_items[0].id
  await admin.ok("POST", `/admin/inventory-items/${itemId}/location-levels`, {
    location_id: stock_location.id,
    stocked_quantity: stock,
  })
  return {
    regionId: region.id,
    shippingOptionId: shipping_option.id,
    salesChannelId,
    locationId: stock_location.id,
    productId: product.id,
    variantId: product.variants[0].id,
    itemId,
  }
}
