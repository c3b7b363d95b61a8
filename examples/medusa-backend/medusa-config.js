// The smallest Medusa 1.20 configuration that uses medusa-inventory-typeorm. It is the same
// file the end-to-end tests boot: shared resources (Medusa 1.20's default), so the module uses
// Medusa's own database connection and Medusa runs its migrations.
const fs = require("fs")
const path = require("path")

const INVENTORY_MODULE = process.env.INVENTORY_MODULE || "medusa-inventory-typeorm"
const ours = INVENTORY_MODULE === "medusa-inventory-typeorm"
// How a checkout, swap or claim picks the warehouse of its reservation (the README's
// "Allocation"): this store reserves where the most stock is available, and confirms a line
// only when one warehouse can cover it. INVENTORY_ALLOCATION ("as-listed", the module's
// default; "most-available"; or JSON such as {"priority":["sloc_…","sloc_…"]}) and
// CONFIRM_PER_LOCATION=false change that: the end-to-end tests boot each.
const allocation = process.env.INVENTORY_ALLOCATION
  ? process.env.INVENTORY_ALLOCATION.startsWith("{")
    ? JSON.parse(process.env.INVENTORY_ALLOCATION)
    : process.env.INVENTORY_ALLOCATION
  : "most-available"
// Module options go here. The example's stock alerts (dist/subscribers) use each level's
// metadata.low_stock_threshold instead of the lowStockThreshold option.
const inventoryOptions = {
  ...(ours ? { allocation } : {}),
  ...(ours && allocation !== "as-listed" && process.env.CONFIRM_PER_LOCATION !== "false" ? { confirmPerLocation: true } : {}),
  ...(process.env.STRICT_RESERVATIONS === "true" ? { strictReservations: true } : {}),
}
const DATABASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/medusa_inventory_example"

// Medusa Admin, the dashboard, served at /app from ADMIN_OUT_DIR (relative to the app, where
// the plugin and `medusa-admin build` both resolve it). Built by `npm run build:admin`, or by
// `npm start` at the repository root, which builds it beside the running server.
const ADMIN_OUT_DIR = process.env.MEDUSA_ADMIN_OUT_DIR || "build"
const admin = {
  resolve: "@medusajs/admin",
  options: { serve: true, autoRebuild: false, path: "/app", outDir: ADMIN_OUT_DIR },
}
// The plugin panics at server boot when <outDir>/index.html is missing, so the server runs
// without it until there is a build; `medusa-admin build` itself reads its options from this
// entry, so it always sees it.
const adminBuilt = fs.existsSync(path.resolve(process.cwd(), ADMIN_OUT_DIR, "index.html"))
const isAdminBuild = /^medusa-admin(\.js)?$/.test(path.basename(process.argv[1] || ""))

module.exports = {
  projectConfig: {
    database_url: DATABASE_URL,
    database_type: "postgres",
    jwt_secret: process.env.JWT_SECRET || "example-jwt-secret",
    cookie_secret: process.env.COOKIE_SECRET || "example-cookie-secret",
    store_cors: process.env.STORE_CORS || "*",
    admin_cors: process.env.ADMIN_CORS || "*",
    // The recommended pool (docs/deployment.md): Medusa 1.20's cart completion holds one
    // connection in its transaction while it asks for another, so a burst of checkouts as large
    // as the pool waits forever; size the pool above the bursts you expect, and give up on a
    // connection after 3 s, so that a larger burst fails some checkouts instead of wedging.
    database_extra: {
      max: Number(process.env.DATABASE_POOL_MAX || 30),
      connectionTimeoutMillis: Number(process.env.DATABASE_CONNECTION_TIMEOUT_MS || 3000),
      // The tests run several apps on one server: they close idle connections sooner than pg's 10 s.
      ...(process.env.DATABASE_IDLE_TIMEOUT_MS ? { idleTimeoutMillis: Number(process.env.DATABASE_IDLE_TIMEOUT_MS) } : {}),
    },
  },
  plugins: [
    "medusa-fulfillment-manual",
    "medusa-payment-manual",
    ...(adminBuilt || isAdminBuild ? [admin] : []),
    // The module's plugin part: stock ledger admin routes and the stock-history widget (enableUI).
    ...(ours ? [{ resolve: "medusa-inventory-typeorm/plugin", options: { enableUI: true } }] : []),
    // Test-only (plugins/e2e-driver): lets the end-to-end tests call services from the container.
    ...(process.env.MEDUSA_INVENTORY_E2E_DRIVER === "true" ? ["e2e-driver"] : []),
  ],
  modules: {
    eventBus: { resolve: "@medusajs/event-bus-local" },
    cacheService: { resolve: "@medusajs/cache-inmemory" },
    inventoryService: {
      resolve: INVENTORY_MODULE,
      ...(Object.keys(inventoryOptions).length ? { options: inventoryOptions } : {}),
    },
    stockLocationService: { resolve: "@medusajs/stock-location" },
  },
}
