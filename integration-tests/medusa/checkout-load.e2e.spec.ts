import { Api, installExampleApp, readyCart, setupStore, startExampleApp } from "./medusa-app"

/**
 * 20 carts for the same variant (stock 10) completed at the same time, on this module with
 * strictReservations and on @medusajs/inventory@1.11.7, in the same Medusa 1.20.11 app.
 */
const CARTS = 20
const STOCK = 10

interface Outcome {
  orders: number
  refusals: Record<string, number>
  reserved: number
  available: number
}

async function runBurst(env: Record<string, string>): Promise<Outcome> {
  // A pool larger than the burst: Medusa holds one connection per checkout while it confirms.
  const app = await startExampleApp({ DATABASE_POOL_MAX: "50", ...env })
  try {
    const admin = new Api(app.url)
    await admin.login()
    const store = new Api(app.url)
    const fixture = await setupStoreFor(admin)
    const carts: string[] = []
    for (let i = 0; i < CARTS; i++) carts.push(await readyCart(store, fixture, 1))
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
    expect(app.loadErrors()).toEqual([])
    return { orders, refusals, reserved: level.reserved_quantity, available: level.stocked_quantity - level.reserved_quantity }
  } finally {
    await app.stop()
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

  it("with strictReservations, at most 10 orders hold stock and availability never goes below zero", async () => {
    const outcome = await runBurst({ STRICT_RESERVATIONS: "true" })
    outcomes["medusa-inventory-typeorm (strictReservations)"] = outcome
    expect(outcome.orders).toBeLessThanOrEqual(STOCK)
    expect(outcome.orders).toBeGreaterThan(0)
    expect(outcome.reserved).toBe(outcome.orders)
    expect(outcome.available).toBeGreaterThanOrEqual(0)
    expect(outcome.orders + Object.values(outcome.refusals).reduce((a, b) => a + b, 0)).toBe(CARTS)
  })

  it("@medusajs/inventory@1.11.7 under the same burst (recorded for comparison)", async () => {
    const outcome = await runBurst({ INVENTORY_MODULE: "@medusajs/inventory" })
    outcomes["@medusajs/inventory@1.11.7"] = outcome
    expect(outcome.orders + Object.values(outcome.refusals).reduce((a, b) => a + b, 0)).toBe(CARTS)
  })
})
