// The smallest Medusa 1.20 configuration that uses medusa-inventory-typeorm. It is the same
// file the end-to-end tests boot: shared resources (Medusa 1.20's default), so the module uses
// Medusa's own database connection and Medusa runs its migrations.
const DATABASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/medusa_inventory_example"

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
    },
  },
  plugins: [
    "medusa-fulfillment-manual",
    "medusa-payment-manual",
    // Test-only (plugins/e2e-driver): lets the end-to-end tests call services from the container.
    ...(process.env.MEDUSA_INVENTORY_E2E_DRIVER === "true" ? ["e2e-driver"] : []),
  ],
  modules: {
    eventBus: { resolve: "@medusajs/event-bus-local" },
    cacheService: { resolve: "@medusajs/cache-inmemory" },
    inventoryService: {
      resolve: process.env.INVENTORY_MODULE || "medusa-inventory-typeorm",
      ...(process.env.STRICT_RESERVATIONS === "true" ? { options: { strictReservations: true } } : {}),
    },
    stockLocationService: { resolve: "@medusajs/stock-location" },
  },
}
