import type { DataSource } from "typeorm"
import InventoryService from "../services/inventory"

/**
 * `medusa-inventory seed`: sample inventory through the module's own bulk methods, in batches:
 * items with skus `<PREFIX>-00001`…, a level at each location, and optionally one reservation
 * per item at the first location. For trying the module, the doctor and the benchmarks on a
 * database of a realistic size.
 */

export interface SeedOptions {
  items: number
  locations: number
  /** Stocked quantity of every level. */
  stock: number
  /** Reserve this many units of each item at the first location (0: no reservations). */
  reserve: number
  prefix: string
  batchSize?: number
  onProgress?: (done: number, total: number) => void
}

export interface SeedResult {
  items: number
  levels: number
  reservations: number
  location_ids: string[]
  first_sku: string | null
  seconds: number
}

export class SeedError extends Error {}

export async function seedInventory(dataSource: DataSource, options: SeedOptions): Promise<SeedResult> {
  const prefix = options.prefix.toUpperCase()
  if (!/^[A-Z0-9][A-Z0-9_-]*$/.test(prefix)) throw new SeedError(`--prefix must be letters, digits, - or _, got "${options.prefix}"`)
  const [taken] = await dataSource.query(`SELECT sku FROM inventory_item WHERE sku LIKE $1 AND deleted_at IS NULL LIMIT 1`, [`${prefix}-%`])
  if (taken) throw new SeedError(`items with the prefix ${prefix} exist (${taken.sku}): pick another --prefix`)

  const service = new InventoryService({ manager: dataSource.manager })
  const batchSize = options.batchSize ?? 1000
  const locationIds = Array.from({ length: options.locations }, (_, i) => `sloc_${prefix.toLowerCase()}_${i + 1}`)
  // Items, levels and reservations, counted as units of work for the progress bar.
  const perItem = 1 + options.locations + (options.reserve > 0 && options.locations > 0 ? 1 : 0)
  const total = options.items * perItem
  const width = Math.max(5, String(options.items).length)
  const started = process.hrtime.bigint()
  let done = 0
  let levels = 0
  let reservations = 0
  options.onProgress?.(0, total)
  for (let from = 0; from < options.items; from += batchSize) {
    const count = Math.min(batchSize, options.items - from)
    const items = await service.createInventoryItems(
      Array.from({ length: count }, (_, i) => {
        const n = String(from + i + 1).padStart(width, "0")
        return { sku: `${prefix}-${n}`, title: `Seeded item ${n}`, requires_shipping: true }
      })
    )
    done += count
    options.onProgress?.(done, total)
    if (locationIds.length) {
      const created = await service.createInventoryLevels(
        items.flatMap((item) => locationIds.map((location_id) => ({ inventory_item_id: item.id, location_id, stocked_quantity: options.stock })))
      )
      levels += created.length
      done += created.length
      options.onProgress?.(done, total)
    }
    if (options.reserve > 0 && locationIds.length) {
      const created = await service.createReservationItems(
        items.map((item) => ({ inventory_item_id: item.id, location_id: locationIds[0], quantity: options.reserve, description: "medusa-inventory seed" }))
      )
      reservations += created.length
      done += created.length
      options.onProgress?.(done, total)
    }
  }
  return {
    items: options.items,
    levels,
    reservations,
    location_ids: locationIds,
    first_sku: options.items ? `${prefix}-${"1".padStart(width, "0")}` : null,
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  }
}

export function formatSeed(result: SeedResult): string {
  return [
    `Seeded ${result.items} item(s), ${result.levels} level(s) and ${result.reservations} reservation(s) in ${result.seconds.toFixed(1)} s.`,
    result.location_ids.length ? `  locations: ${result.location_ids.join(", ")}` : "  no locations",
    result.first_sku ? `  first sku: ${result.first_sku}  (try: medusa-inventory simulate --item ${result.first_sku} --strict)` : "",
  ]
    .filter(Boolean)
    .join("\n")
}
