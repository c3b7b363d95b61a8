import { ChildProcess, execFile, spawn } from "child_process"
import { createHash } from "crypto"
import fs from "fs"
import net from "net"
import path from "path"
import { promisify } from "util"
import { createDatabase, databaseUrl as databaseUrl_, dropDatabase, uniqueDatabaseName } from "../utils/database"

const exec = promisify(execFile)

export const ROOT = path.resolve(__dirname, "../..")
export const APP = path.join(ROOT, "examples/medusa-backend")
const MEDUSA = path.join(APP, "node_modules/.bin/medusa")

/** Log lines that mean a module failed to load, even where Medusa goes on (or exits 0). */
const LOAD_ERRORS = [
  /Cannot set properties of undefined \(setting '__definition'\)/,
  /Loaders for module .* failed/,
  /Error starting server/,
  /No service found in module/,
  /migration failed/i,
  /No metadata for "?InventoryItem/,
]

/**
 * Installs the example app from its lockfile (kept between runs when already there), then
 * this package the way a user gets it: `npm pack`, then install of the tarball, so that one
 * TypeORM serves Medusa and the module.
 */
export async function installExampleApp(): Promise<void> {
  // Reused between runs only while it matches the lockfile (a stamp records which one).
  const lock = fs.readFileSync(path.join(APP, "package-lock.json"))
  const stamp = createHash("sha256").update(lock).digest("hex")
  const stampFile = path.join(APP, "node_modules/.installed-from-lockfile")
  if (!fs.existsSync(stampFile) || fs.readFileSync(stampFile, "utf8") !== stamp) {
    await exec("npm", ["ci", "--no-audit", "--no-fund"], { cwd: APP, maxBuffer: 64 * 1024 * 1024 })
    fs.writeFileSync(stampFile, stamp)
  }
  const packDir = path.join(APP, ".pack")
  fs.rmSync(packDir, { recursive: true, force: true })
  fs.mkdirSync(packDir)
  const { stdout } = await exec("npm", ["pack", "--ignore-scripts", "--pack-destination", packDir], { cwd: ROOT })
  const tarball = path.join(packDir, stdout.trim().split("\n").pop()!)
  await exec("npm", ["install", "--no-save", "--no-audit", "--no-fund", tarball], {
    cwd: APP,
    maxBuffer: 64 * 1024 * 1024,
  })
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
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
}

/** A fresh database, `medusa migrations run`, an admin user, and the server on a free port. */
export async function startExampleApp(env: Record<string, string> = {}, options: StartOptions = {}): Promise<RunningApp & { database: string }> {
  const name = options.database ?? uniqueDatabaseName("mit_e2e")
  const databaseUrl = options.database ? databaseUrl_(name) : await createDatabase(name)
  const port = await freePort()
  // Jest sets NODE_ENV=test, under which Medusa skips loading its middlewares.
  const baseEnv = { ...process.env, NODE_ENV: "development", DATABASE_URL: databaseUrl, MEDUSA_DISABLE_TELEMETRY: "true", PORT: String(port), ...env }
  let output = ""
  const loadErrors = () => LOAD_ERRORS.filter((re) => re.test(output)).map(String)
  let child: ChildProcess | undefined
  const stop = async () => {
    if (child?.pid && child.exitCode === null) {
      try {
        process.kill(-child.pid, "SIGTERM")
      } catch {
        // already gone
      }
      await new Promise((resolve) => {
        const timer = setTimeout(() => {
          try {
            process.kill(-child!.pid!, "SIGKILL")
          } catch {
            // already gone
          }
          resolve(undefined)
        }, 5000)
        child!.once("exit", () => {
          clearTimeout(timer)
          resolve(undefined)
        })
      })
    }
    if (!options.keepDatabase) await dropDatabase(name)
  }
  try {
    const migrations = await exec(MEDUSA, ["migrations", "run"], { cwd: APP, env: baseEnv, maxBuffer: 64 * 1024 * 1024 })
    output += migrations.stdout + migrations.stderr
    if (!options.database) {
      const user = await exec(MEDUSA, ["user", "-e", "admin@e2e.test", "-p", "supersecret"], { cwd: APP, env: baseEnv })
      output += user.stdout + user.stderr
    }
    child = spawn(MEDUSA, ["start"], { cwd: APP, env: baseEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    child.stdout!.on("data", (d) => (output += d))
    child.stderr!.on("data", (d) => (output += d))
    const url = `http://127.0.0.1:${port}`
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`medusa start exited with ${child.exitCode}:\n${output.slice(-3000)}`)
      const healthy = await fetch(`${url}/health`).then((r) => r.ok, () => false)
      if (healthy) break
      if (i > 240) throw new Error(`no /health after 120 s:\n${output.slice(-3000)}`)
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    return { url, databaseUrl, database: name, logs: () => output, loadErrors, stop }
  } catch (error) {
    await stop()
    throw error
  }
}

/** A small HTTP client for the admin and store APIs. */
export class Api {
  private token?: string
  constructor(private readonly base: string) {}

  async login(email = "admin@e2e.test", password = "supersecret"): Promise<void> {
    const { body } = await this.request("POST", "/admin/auth/token", { email, password })
    this.token = body.access_token
  }

  async request(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }> {
    const response = await fetch(`${this.base}${route}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await response.text()
    let parsed: any = text
    try {
      parsed = text ? JSON.parse(text) : undefined
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed }
  }

  async ok(method: string, route: string, body?: unknown): Promise<any> {
    const result = await this.request(method, route, body)
    if (result.status >= 300) {
      throw new Error(`${method} ${route} answered ${result.status}: ${JSON.stringify(result.body)}`)
    }
    return result.body
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

/** A cart with `quantity` of the fixture's variant, ready to complete (address, shipping, payment). */
export async function readyCart(store: Api, fixture: StoreFixture, quantity: number): Promise<string> {
  const { cart } = await store.ok("POST", "/store/carts", { region_id: fixture.regionId, sales_channel_id: fixture.salesChannelId })
  await store.ok("POST", `/store/carts/${cart.id}/line-items`, { variant_id: fixture.variantId, quantity })
  await store.ok("POST", `/store/carts/${cart.id}`, {
    email: "buyer@e2e.test",
    shipping_address: { first_name: "E", last_name: "Two", address_1: "1 Main St", city: "Town", country_code: "us", postal_code: "10001" },
  })
  await store.ok("POST", `/store/carts/${cart.id}/shipping-methods`, { option_id: fixture.shippingOptionId })
  await store.ok("POST", `/store/carts/${cart.id}/payment-sessions`)
  await store.ok("POST", `/store/carts/${cart.id}/payment-session`, { provider_id: "manual" })
  return cart.id
}
