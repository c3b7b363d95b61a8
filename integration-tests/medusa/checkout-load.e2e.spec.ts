import { Client } from "pg"
import { Api, installExampleApp, readyCart, setupStore, startExampleApp } from "./medusa-app"

/**
 * 20 carts for the same variant (stock 10) completed at the same time, in the Medusa 1.20.11
 * example app with the recommended pool (docs/deployment.md: max 30, connectionTimeoutMillis
 * 3000), on this module with strictReservations and on @medusajs/inventory@1.11.7; and once
 * more at Medusa's default pool size (10) with the connection timeout, where the burst is as
 * large as the pool can wedge: the server must keep answering and the books must balance.
 */
const CARTS = 20
const STOCK = 10

interface Outcome {
  orders: number
  refusals: Record<string, number>
  reserved: number
  available: number
  /** Reserved quantity minus the sum of the live reservations (I2). */
  drift: number
  /** Live reservations that belong to no order's line item. */
  strayReservations: number
  /** /health and a fresh checkout after the burst. */
  answersAfterwards: boolean
}

async function runBurst(env: Record<string, string>): Promise<Outcome> {
  const app = await startExampleApp(env)
  try {
    const admin = new Api(app.url)
    await admin.login()
    const store = new Api(app.url)
    const fixture = await setupStoreFor(admin)
    const carts: string[] = []
    for (let i = 0; i < CARTS + 1; i++) carts.push(await readyCart(store, fixture, 1))
    const spare = carts.pop()!
    // Every request must be answered: a wedged server would never answer (the test then fails on its timeout).
    const results = await Promise.all(carts.map((id) => store.request("POST", `/store/carts/${id}/complete`)))
    const refusals: Record<string, number> = {}
    let orders = 0
    for (const result of results) {
      if (result.status === 200 && result.body?.type === "order") {
        orders++
      } else {
        const key = `${result.status} ${result.body?.type ?? ""} ${String(result.body?.message ?? result.body?.data?.message ?? "").slice(0, 80)}`
        refusals[key] = (refusals[key] ?? 0) + 1
      }
    }
    const levels = await admin.ok("GET", `/admin/inventory-items/${fixture.itemId}/location-levels`)
    const level = levels.inventory_item.location_levels[0]
    const books = await balance(app.databaseUrl, fixture.itemId)
    // The server still answers, and one more checkout goes through the module (or is refused for stock).
    const health = await fetch(`${app.url}/health`).then((r) => r.ok, () => false)
    const after = await store.request("POST", `/store/carts/${spare}/complete`)
    expect(app.loadErrors()).toEqual([])
    return {
      orders,
      refusals,
      reserved: level.reserved_quantity,
      available: level.stocked_quantity - level.reserved_quantity,
      ...books,
      answersAfterwards: health && (after.status === 200 || after.status === 409),
    }
  } finally {
    await app.stop()
  }
}

/** The books of the item: reserved vs. live reservations, and reservations without an order. */
async function balance(databaseUrl: string, itemId: string): Promise<{ drift: number; strayReservations: number }> {
  const client = new Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const [{ drift }] = (
      await client.query(
        `SELECT l.reserved_quantity - COALESCE((SELECT sum(r.quantity) FROM reservation_item r
            WHERE r.inventory_item_id = l.inventory_item_id AND r.location_id = l.location_id AND r.deleted_at IS NULL), 0)::int AS drift
           FROM inventory_level l WHERE l.inventory_item_id = $1 AND l.deleted_at IS NULL`,
        [itemId]
      )
    ).rows
    const [{ stray }] = (
      await client.query(
        `SELECT count(*)::int AS stray FROM reservation_item r
          WHERE r.inventory_item_id = $1 AND r.deleted_at IS NULL
            AND NOT EXISTS (SELECT 1 FROM line_item li WHERE li.id = r.line_item_id AND li.order_id IS NOT NULL)`,
        [itemId]
      )
    ).rows
    return { drift, strayReservations: stray }
  } finally {
    await client.end()
  }
}

function setupStoreFor(admin: Api) {
  return setupStore(admin, `LOAD-${Date.now()}`, STOCK)
}

describe("in a Medusa 1.20 backend: 20 simultaneous checkouts against a stock of 10", () => {
  const outcomes: Record<string, Outcome> = {}

  beforeAll(async () => {
    await installExampleApp()
  }, 600_000)

  afterAll(() => {
    // The closing note and README quote these lines.
    console.log(`checkout burst outcomes (${CARTS} carts, stock ${STOCK}):\n${JSON.stringify(outcomes, null, 2)}`)
  })

  it("recommended pool, strictReservations: at most 10 orders hold stock, availability never below zero, the books balance", async () => {
    const outcome = await runBurst({ STRICT_RESERVATIONS: "true" })
    outcomes["medusa-inventory-typeorm (strictReservations), max 30, connectionTimeoutMillis 3000"] = outcome
    expect(outcome.orders).toBeLessThanOrEqual(STOCK)
    expect(outcome.orders).toBeGreaterThan(0)
    expect(outcome.reserved).toBe(outcome.orders)
    expect(outcome.available).toBeGreaterThanOrEqual(0)
    expect(outcome.orders + Object.values(outcome.refusals).reduce((a, b) => a + b, 0)).toBe(CARTS)
    expect(outcome).toMatchObject({ drift: 0, strayReservations: 0, answersAfterwards: true })
  })

  it("Medusa's default pool (10) with connectionTimeoutMillis 3000: the server survives the burst and the books balance", async () => {
    const outcome = await runBurst({ STRICT_RESERVATIONS: "true", DATABASE_POOL_MAX: "10", DATABASE_CONNECTION_TIMEOUT_MS: "3000" })
    outcomes["medusa-inventory-typeorm (strictReservations), max 10, connectionTimeoutMillis 3000"] = outcome
    expect(outcome.orders + Object.values(outcome.refusals).reduce((a, b) => a + b, 0)).toBe(CARTS)
    expect(outcome.orders).toBeLessThanOrEqual(STOCK)
    expect(outcome.reserved).toBe(outcome.orders)
    expect(outcome).toMatchObject({ drift: 0, strayReservations: 0, answersAfterwards: true })
  })

  it("@medusajs/inventory@1.11.7 under the same burst, recommended pool (recorded for comparison)", async () => {
    const outcome = await runBurst({ INVENTORY_MODULE: "@medusajs/inventory" })
    outcomes["@medusajs/inventory@1.11.7, max 30, connectionTimeoutMillis 3000"] = outcome
    expect(outcome.orders + Object.values(outcome.refusals).reduce((a, b) => a + b, 0)).toBe(CARTS)
    expect(outcome.answersAfterwards).toBe(true)
  })
})
