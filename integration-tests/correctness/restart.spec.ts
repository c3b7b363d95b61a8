import { MedusaError } from "@medusajs/utils"
import { DataSource } from "typeorm"
import { InventoryItem, InventoryLevel, ReservationItem, runMigrations } from "../../src"
import InventoryService from "../../src/services/inventory"
import { liveReservationSums } from "../../src/stock/reservations"
import { DATABASE_UNAVAILABLE } from "../../src/utils/errors"
import { Cluster, startCluster } from "../utils/pg-cluster"

/**
 * PostgreSQL restarted (`pg_ctl restart -m fast`) under a burst of mixed calls: reservations,
 * adjustments, level updates, reservation updates and deletes. Every call either completes or
 * fails with the "database unavailable" error; afterwards no reservation is half-written, the
 * reserved quantities equal the live reservations (I2), the stocked quantities are the
 * initial ones plus the adjustments that completed (plus at most those whose outcome the error
 * called unknown), and the next calls succeed on the same service: the pool reconnects.
 */

const ITEMS = 6
const LOCATIONS = ["loc_a", "loc_b"]
const STOCK = 100_000

type Kind = "reserve" | "adjust" | "updateLevel" | "updateReservation" | "deleteReservation"

interface Outcome {
  kind: Kind
  ok: boolean
  error?: MedusaError
  delta?: number
}

describe("a database restart during a burst of calls", () => {
  let cluster: Cluster
  let dataSource: DataSource
  let service: InventoryService
  const itemIds: string[] = []

  beforeAll(async () => {
    cluster = await startCluster()
    await runMigrations({ options: { database: { url: cluster.url() } } })
    dataSource = new DataSource({
      type: "postgres",
      url: cluster.url(),
      entities: [InventoryItem, InventoryLevel, ReservationItem],
      // As docs/deployment.md recommends: a pool that gives up instead of waiting forever.
      extra: { max: 10, connectionTimeoutMillis: 3000 },
    })
    await dataSource.initialize()
    service = new InventoryService({ manager: dataSource.manager }, {})
    const items = await service.createInventoryItems(Array.from({ length: ITEMS }, (_, i) => ({ sku: `RESTART-${i}` })))
    itemIds.push(...items.map((i) => i.id))
    await service.createInventoryLevels(
      itemIds.flatMap((id) => LOCATIONS.map((location_id) => ({ inventory_item_id: id, location_id, stocked_quantity: STOCK })))
    )
  }, 120_000)

  afterAll(async () => {
    if (dataSource?.isInitialized) await dataSource.destroy()
    await cluster?.destroy()
  })

  it("every call completes or fails cleanly, nothing drifts, and the pool reconnects", async () => {
    const outcomes: Outcome[] = []
    // Updates and deletes work on separate reservations, so that a delete never races an update.
    const updatable: string[] = []
    const deletable: string[] = []
    let stop = false
    let n = 0
    const pick = <T>(list: T[]) => list[n++ % list.length]

    async function one(kind: Kind): Promise<void> {
      const itemId = pick(itemIds)
      const location = pick(LOCATIONS)
      const outcome: Outcome = { kind, ok: false }
      try {
        switch (kind) {
          case "reserve": {
            const { id } = await service.createReservationItem({ inventory_item_id: itemId, location_id: location, quantity: 1 })
            ;(updatable.length <= deletable.length ? updatable : deletable).push(id)
            break
          }
          case "adjust":
            outcome.delta = 1
            await service.adjustInventory(itemId, location, 1)
            break
          case "updateLevel":
            await service.updateInventoryLevel(itemId, location, { incoming_quantity: n % 50 })
            break
          case "updateReservation": {
            const id = updatable[n % Math.max(updatable.length, 1)]
            if (id) await service.updateReservationItem(id, { quantity: 1 + (n % 3) })
            break
          }
          case "deleteReservation": {
            const id = deletable.pop()
            if (id) await service.deleteReservationItem(id)
            break
          }
        }
        outcome.ok = true
      } catch (error) {
        outcome.error = error as MedusaError
      }
      outcomes.push(outcome)
    }

    const kinds: Kind[] = ["reserve", "adjust", "updateLevel", "reserve", "updateReservation", "adjust", "deleteReservation"]
    const workers = Array.from({ length: 12 }, async (_, w) => {
      let i = w
      while (!stop) {
        await one(kinds[i++ % kinds.length])
        // Failed calls fail fast: do not spin while the server is down.
        if (outcomes[outcomes.length - 1]?.ok === false) await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const restartedAt = outcomes.length
    await cluster.restart()
    await new Promise((resolve) => setTimeout(resolve, 1500))
    stop = true
    await Promise.all(workers)

    const failed = outcomes.filter((o) => !o.ok)
    const completed = outcomes.filter((o) => o.ok)
    const unknown = failed.filter((o) => /may or may not have been applied/.test(o.error?.message ?? ""))
    // The restart happened during the burst, and it was felt.
    expect(restartedAt).toBeGreaterThan(0)
    expect(completed.length).toBeGreaterThan(restartedAt)
    expect(failed.length).toBeGreaterThan(0)
    // Every failure is the clear "unavailable" error, nothing else.
    expect(
      failed
        .filter((o) => !(MedusaError.isMedusaError(o.error) && o.error!.type === MedusaError.Types.DB_ERROR && o.error!.code === DATABASE_UNAVAILABLE))
        .map((o) => `${o.kind}: ${o.error?.message ?? String(o.error)}`)
    ).toEqual([])

    // I2: reserved quantities equal the live reservations; no reservation without its level's increment.
    const drift = await dataSource.query(
      `WITH levels AS (SELECT id, inventory_item_id, location_id, reserved_quantity FROM inventory_level WHERE deleted_at IS NULL),
       ${liveReservationSums("levels")}
       SELECT l.id, l.reserved_quantity - COALESCE(s.quantity, 0) AS drift
         FROM levels l LEFT JOIN sums s ON s.inventory_item_id = l.inventory_item_id AND s.location_id = l.location_id
        WHERE l.reserved_quantity <> COALESCE(s.quantity, 0)`
    )
    expect(drift).toEqual([])
    // I1: stocked = initial + completed adjustments (+ at most the adjustments whose outcome was unknown).
    const [{ stocked }] = await dataSource.query(`SELECT sum(stocked_quantity)::int AS stocked FROM inventory_level`)
    const adjusted = completed.filter((o) => o.kind === "adjust").length
    const maybe = unknown.filter((o) => o.kind === "adjust").length
    expect(stocked - ITEMS * LOCATIONS.length * STOCK - adjusted).toBeGreaterThanOrEqual(0)
    expect(stocked - ITEMS * LOCATIONS.length * STOCK - adjusted).toBeLessThanOrEqual(maybe)

    // The same service works again without a restart of the app: the pool reconnected.
    const again = await service.createReservationItem({ inventory_item_id: itemIds[0], location_id: "loc_a", quantity: 2 })
    expect(await service.retrieveReservationItem(again.id)).toMatchObject({ quantity: 2 })
    expect(await service.confirmInventory(itemIds[0], ["loc_a"], 1)).toBe(true)

    console.log(
      `restart under load: ${outcomes.length} calls, ${completed.length} completed, ${failed.length} failed with ` +
        `"${DATABASE_UNAVAILABLE}" (${failed.length - unknown.length} "nothing was written", ${unknown.length} "may or may not"), ` +
        `drift ${drift.length}, stocked off by ${stocked - ITEMS * LOCATIONS.length * STOCK - adjusted} of ${maybe} unknown adjustments`
    )
  })
})
