import type { DataSource } from "typeorm"
import InventoryService from "../services/inventory"

/**
 * N concurrent checkouts, the way Medusa completes carts (confirmInventory, then
 * createReservationItem), against one item's stock at one location. Shows what the oversell
 * guard changes: without it every checkout reserves (backorders); with it, no more than the stock.
 */

export interface SimulationOptions {
  checkouts: number
  /** Stock of the item made for the run; ignored with `item`. */
  stock: number
  strict: boolean
  /** An existing item (id or sku) to check out instead of a new one; its stock is left as it is. */
  item?: string
  /** The item's location; by default the one with the most available units. */
  location?: string
  /** Keep the simulated reservations (by default they are released after the run). */
  keep?: boolean
  /** Concurrent workers; every checkout is in flight at once by default. */
  concurrency?: number
  onProgress?: (done: number, total: number) => void
}

export interface LevelSnapshot {
  stocked: number
  reserved: number
  available: number
}

export interface SimulationResult {
  strict: boolean
  checkouts: number
  reserved: number
  refused: number
  failed: number
  before: LevelSnapshot
  after: LevelSnapshot
  oversold: number
  seconds: number
  checkoutsPerSecond: number
  inventory_item_id: string
  location_id: string
  /** Simulated reservations released after the run (0 with `keep`). */
  released: number
}

export class SimulationError extends Error {}

async function chooseItem(service: InventoryService, dataSource: DataSource, options: SimulationOptions): Promise<{ itemId: string; location: string }> {
  if (!options.item) {
    const item = await service.createInventoryItem({
      sku: `SIM-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
      title: "Simulated checkout item",
    })
    await service.createInventoryLevel({ inventory_item_id: item.id, location_id: options.location ?? "sloc_simulation", stocked_quantity: options.stock })
    return { itemId: item.id, location: options.location ?? "sloc_simulation" }
  }
  const [found] = await dataSource.query(
    `SELECT id FROM inventory_item WHERE (id = $1 OR sku = $1) AND deleted_at IS NULL ORDER BY (id = $1) DESC LIMIT 1`,
    [options.item]
  )
  if (!found) throw new SimulationError(`no inventory item with id or sku "${options.item}"`)
  const [level] = await dataSource.query(
    `SELECT location_id FROM inventory_level WHERE inventory_item_id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR location_id = $2)
      ORDER BY stocked_quantity - reserved_quantity DESC, location_id LIMIT 1`,
    [found.id, options.location ?? null]
  )
  if (!level) throw new SimulationError(`item "${options.item}" has no level${options.location ? ` at ${options.location}` : ""}`)
  return { itemId: found.id, location: level.location_id }
}

export async function simulateCheckouts(dataSource: DataSource, options: SimulationOptions): Promise<SimulationResult> {
  const service = new InventoryService({ manager: dataSource.manager }, { strictReservations: options.strict })
  const { itemId, location } = await chooseItem(service, dataSource, options)
  const run = `sim_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`
  const snapshot = async (): Promise<LevelSnapshot> => {
    const level = await service.retrieveInventoryLevel(itemId, location)
    return {
      stocked: level.stocked_quantity,
      reserved: level.reserved_quantity,
      available: level.stocked_quantity - level.reserved_quantity,
    }
  }
  const before = await snapshot()
  let reserved = 0
  let refused = 0
  let failed = 0
  let next = 0
  let done = 0
  const started = process.hrtime.bigint()
  const worker = async () => {
    for (;;) {
      const i = next++
      if (i >= options.checkouts) return
      try {
        if (!(await service.confirmInventory(itemId, [location], 1))) {
          refused++
        } else {
          await service.createReservationItem({
            inventory_item_id: itemId,
            location_id: location,
            quantity: 1,
            line_item_id: `${run}_${i}`,
            description: "medusa-inventory simulate",
          })
          reserved++
        }
      } catch (error) {
        if ((error as { code?: string }).code === "insufficient_inventory") refused++
        else failed++
      }
      options.onProgress?.(++done, options.checkouts)
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? options.checkouts, options.checkouts) }, worker))
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const after = await snapshot()
  let released = 0
  if (!options.keep && reserved > 0) {
    const lineItems = Array.from({ length: options.checkouts }, (_, i) => `${run}_${i}`)
    for (let i = 0; i < lineItems.length; i += 1000) {
      await service.deleteReservationItemsByLineItem(lineItems.slice(i, i + 1000))
    }
    released = reserved
  }
  return {
    strict: options.strict,
    checkouts: options.checkouts,
    reserved,
    refused,
    failed,
    before,
    after,
    oversold: Math.max(0, after.reserved - after.stocked),
    seconds,
    checkoutsPerSecond: options.checkouts / seconds,
    inventory_item_id: itemId,
    location_id: location,
    released,
  }
}

export function formatSimulation(result: SimulationResult): string {
  const pad = (v: string | number, n: number) => String(v).padStart(n)
  return [
    `${result.checkouts} concurrent checkouts of 1 unit of ${result.inventory_item_id} at ${result.location_id}` +
      ` (strictReservations: ${result.strict})`,
    `            stocked  reserved  available`,
    `  before  ${pad(result.before.stocked, 9)}${pad(result.before.reserved, 10)}${pad(result.before.available, 11)}`,
    `  after   ${pad(result.after.stocked, 9)}${pad(result.after.reserved, 10)}${pad(result.after.available, 11)}`,
    `  reserved ${result.reserved}, refused ${result.refused}, failed ${result.failed}; ` +
      `oversold ${result.oversold} unit(s); ${Math.round(result.checkoutsPerSecond)} checkouts/s`,
    ...(result.released ? [`  the ${result.released} simulated reservation(s) were released afterwards (--keep keeps them)`] : []),
  ].join("\n")
}
