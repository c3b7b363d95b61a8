import type { DataSource } from "typeorm"
import InventoryService from "./services/inventory"

/**
 * N concurrent checkouts, the way Medusa completes carts (confirmInventory, then
 * createReservationItem), against one item's stock at one location. Shows what the oversell
 * guard changes: without it every checkout reserves (backorders); with it, no more than the stock.
 */

export interface SimulationOptions {
  checkouts: number
  stock: number
  strict: boolean
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
}

export async function simulateCheckouts(dataSource: DataSource, options: SimulationOptions): Promise<SimulationResult> {
  const service = new InventoryService({ manager: dataSource.manager }, { strictReservations: options.strict })
  const location = "sloc_simulation"
  const item = await service.createInventoryItem({
    sku: `SIM-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`,
    title: "Simulated checkout item",
  })
  await service.createInventoryLevel({ inventory_item_id: item.id, location_id: location, stocked_quantity: options.stock })
  const snapshot = async (): Promise<LevelSnapshot> => {
    const level = await service.retrieveInventoryLevel(item.id, location)
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
        if (!(await service.confirmInventory(item.id, [location], 1))) {
          refused++
        } else {
          await service.createReservationItem({
            inventory_item_id: item.id,
            location_id: location,
            quantity: 1,
            line_item_id: `sim_line_${i}`,
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
    inventory_item_id: item.id,
    location_id: location,
  }
}

export function formatSimulation(result: SimulationResult): string {
  const pad = (v: string | number, n: number) => String(v).padStart(n)
  return [
    `${result.checkouts} concurrent checkouts of 1 unit against a stock of ${result.before.stocked}` +
      ` (strictReservations: ${result.strict})`,
    `            stocked  reserved  available`,
    `  before  ${pad(result.before.stocked, 9)}${pad(result.before.reserved, 10)}${pad(result.before.available, 11)}`,
    `  after   ${pad(result.after.stocked, 9)}${pad(result.after.reserved, 10)}${pad(result.after.available, 11)}`,
    `  reserved ${result.reserved}, refused ${result.refused}, failed ${result.failed}; ` +
      `oversold ${result.oversold} unit(s); ${Math.round(result.checkoutsPerSecond)} checkouts/s`,
  ].join("\n")
}
