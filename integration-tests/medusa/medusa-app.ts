import { createHash } from "crypto"
import fs from "fs"
import path from "path"
import {
  Api as BaseApi,
  APP,
  appEnv,
  freePort,
  medusaCommand,
  MedusaServer,
  startMedusa,
  withFileLock,
} from "../../scripts/example-app"
import {
  createDatabase,
  createDatabaseFrom,
  databaseExists,
  databasesLike,
  databaseUrl as databaseUrl_,
  dropDatabase,
  renameDatabase,
  uniqueDatabaseName,
} from "../utils/database"

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

export const E2E_ADMIN = { email: "admin@e2e.test", password: "supersecret" }

/** What a migrated example-app database depends on: the installed app and package, and which module runs. */
function templateInputs(env: Record<string, string | undefined>): string {
  const stamp = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "")
  return createHash("sha256")
    .update(stamp(path.join(APP, "node_modules/.installed-from-lockfile")))
    .update(stamp(path.join(APP, "node_modules/.installed-package")))
    .update(env.INVENTORY_MODULE ?? "")
    .digest("hex")
    .slice(0, 12)
}

/**
 * A fresh database `name` for the example app running `env`, migrated (`medusa migrations run`)
 * and with the e2e admin user: copied from a template made once for the installed app, package
 * and inventory module, and kept on the server for later runs with the same inputs (other
 * templates of that module are dropped). Migrating an empty database takes about 4 s here, the
 * copy well under a second. The migrations themselves still run for each template, and on every
 * app started on an existing database (the swap scenarios).
 */
export async function migratedAppDatabase(name: string, env: Record<string, string | undefined> = {}): Promise<string> {
  const flavour = env.INVENTORY_MODULE ? "official" : "ours"
  const template = `mit_tmpl_${flavour}_${templateInputs(env)}`
  await withFileLock(path.join(APP, `.template-${flavour}.lock`), async () => {
    if (await databaseExists(template)) return
    for (const old of await databasesLike(`mit_tmpl_${flavour}_`)) await dropDatabase(old)
    const building = `${template}_building`
    const url = await createDatabase(building)
    const migrateEnv = appEnv(url, await freePort(), env.INVENTORY_MODULE ? { INVENTORY_MODULE: env.INVENTORY_MODULE } : {})
    await medusaCommand(["migrations", "run"], migrateEnv)
    await medusaCommand(["user", "-e", E2E_ADMIN.email, "-p", E2E_ADMIN.password], migrateEnv)
    // Renamed only once complete: an interrupted build never passes for a template.
    await renameDatabase(building, template)
  })
  return createDatabaseFrom(name, template)
}

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
  const databaseUrl = options.database ? databaseUrl_(name) : await migratedAppDatabase(name, env)
  const baseEnv = appEnv(databaseUrl, await freePort(), env)
  let output = ""
  const loadErrors = () => LOAD_ERRORS.filter((re) => re.test(output)).map(String)
  let server: MedusaServer | undefined
  const stop = async () => {
    await server?.stop()
    if (!options.keepDatabase) await dropDatabase(name)
  }
  try {
    // A fresh database comes migrated, with the admin (migratedAppDatabase); an existing one
    // is migrated here, as a store does after changing its inventory module.
    if (options.database) output += await medusaCommand(["migrations", "run"], baseEnv)
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

/** A published product from stock, without a region: see setupStockedProduct. */
export interface StockedProductFixture {
  salesChannelId: string
  locationId: string
  productId: string
  variantId: string
  itemId: string
}

export interface StoreFixture extends StockedProductFixture {
  regionId: string
  shippingOptionId: string
}

/**
 * A stock location linked to the default sales channel, and a published product whose variant
 * manages inventory, stocked at that location.
 */
export async function setupStockedProduct(admin: Api, sku: string, stock: number): Promise<StockedProductFixture> {
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
  return { salesChannelId, locationId: stock_location.id, productId: product.id, variantId: product.variants[0].id, itemId }
}

/**
 * What a store needs to sell one product from stock: a region with the manual providers, a
 * shipping option, and the stocked product of setupStockedProduct.
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
  return { regionId: region.id, shippingOptionId: shipping_option.id, ...(await setupStockedProduct(admin, sku, stock)) }
}
