import type { InventoryLevelDTO } from "@medusajs/types"
import { ListConfig, OrderTerm, runListQuery } from "../db/list-query"
import type { Allocation } from "../options"
import type { StockContext } from "./context"
import { aggregateLevels, LEVEL_LIST, levelBatch, sumLevels } from "./levels"
import { levelKey } from "./locking"

/**
 * Allocation: which of the sales channel's locations a reservation goes to.
 *
 * Medusa 1.20 decides it in one place, `ProductVariantInventoryService.reserveQuantity`
 * (cart completion, swaps, claims, draft orders, an admin's reservation of a line item without
 * a location): it lists the levels of the variant's first inventory item at the sales
 * channel's locations, `listInventoryLevels({ inventory_item_id, location_id: [...] })` with
 * no config, and reserves every part of the variant at the first level's location. So the
 * module decides by ordering that list (option `allocation`):
 *
 * - `as-listed`: no change, the official order (by level id: the oldest level first);
 * - `most-available`: most available stock (stocked − reserved) first, ties by location id;
 * - `{ priority }`: the locations with stock available (at least one unit) in priority
 *   order, then those without any, in priority order; locations the list does not name come
 *   after the named ones of their group, by location id.
 *
 * The list carries no quantity, so "can cover the need" means "has a unit available": the
 * priority strategy cannot skip a location that has some stock but not enough for the line.
 * Nor does it name the variant: a kit (several items per variant) is ordered by its first
 * item's levels alone. What the module can still do about both, it does where it sees the
 * quantities: `confirmPerLocation` (confirmInventory) and, under `strictReservations`, a
 * refusal that names where every part of the reservation was available (see `whereEnough`).
 */

/**
 * The order a strategy gives `listInventoryLevels(selector, config)`, or undefined where the
 * call keeps the default one: with `as-listed`, with an explicit `config.order` (which always
 * wins), with relations (lists that join go through TypeORM), and for any list other than
 * the levels of one item (`inventory_item_id` a single id, as Medusa passes it) at a list of
 * locations (`location_id` an array). Lists of several items are reports (the admin's
 * inventory pages, a storefront's availability), which keep their stable order.
 */
export function allocationOrder(allocation: Allocation, selector: Record<string, unknown>, config: ListConfig): OrderTerm[] | undefined {
  if (allocation.kind === "as-listed") return undefined
  if (config.order !== undefined && config.order !== null) return undefined
  if (Array.isArray(config.relations) && config.relations.length > 0) return undefined
  if (typeof selector.inventory_item_id !== "string" || !Array.isArray(selector.location_id)) return undefined
  return allocation.kind === "most-available" ? MOST_AVAILABLE : priorityOrder(allocation.locations)
}

const available = (column: (name: string) => string) => `(${column("stocked_quantity")} - ${column("reserved_quantity")})`
const QUANTITY_COLUMNS = ["stocked_quantity", "reserved_quantity", "location_id"]

const MOST_AVAILABLE: OrderTerm[] = [
  { columns: QUANTITY_COLUMNS, sql: (column) => `${available(column)} DESC, ${column("location_id")} ASC` },
]

function priorityOrder(locations: string[]): OrderTerm[] {
  return [
    {
      columns: QUANTITY_COLUMNS,
      params: [locations],
      // A unit available first; then the position in the priority list (unnamed locations last); then the id.
      sql: (column, param) =>
        `${available(column)} > 0 DESC, array_position(${param(0)}::text[], ${column("location_id")}::text) ASC NULLS LAST, ${column("location_id")} ASC`,
    },
  ]
}

/**
 * `listInventoryLevels`: the levels of `selector` as `config` asks, in the allocation
 * strategy's order where it applies (allocationOrder). One statement either way.
 */
export async function listLevels(ctx: StockContext, selector: Record<string, unknown>, config: ListConfig): Promise<[InventoryLevelDTO[], number]> {
  const defaultOrder = allocationOrder(ctx.allocation, selector, config)
  const [rows, count] = await runListQuery(ctx.read, LEVEL_LIST, selector, config, defaultOrder ? { defaultOrder } : undefined)
  return [rows as unknown as InventoryLevelDTO[], count]
}

/**
 * The most available at one location: what a reservation at a single location can take.
 * Made on first use (levels.ts and reservations.ts, which imports this file, import each other).
 */
let maxAvailable: ReturnType<typeof levelBatch> | undefined

/**
 * `confirmInventory`: whether `quantity` can be reserved. By default (the official answer)
 * the sum of what is available at the locations covers it; with `confirmPerLocation`, one
 * location covers it on its own, as the reservation, made at one location, will need.
 */
export async function confirmStock(ctx: StockContext, itemId: string, locationIds: string[], quantity: number): Promise<boolean> {
  if (ctx.confirmPerLocation) return (await aggregateLevels(ctx, (maxAvailable ??= levelBatch("max", "available")), itemId, locationIds)) >= quantity
  return (await sumLevels(ctx, "available", itemId, locationIds)) >= quantity
}

/** A location that had enough for a refused reservation: its availability, or the number of items reserved together. */
export interface EnoughAt {
  location_id: string
  /** The item's available quantity there (a reservation of one item). */
  available?: number
  /** The number of items reserved together (a line item's parts), each available there. */
  parts?: number
}

/** One reservation of a call, as `whereEnough` reads it. */
export interface Demand {
  inventory_item_id: string
  location_id: string
  line_item_id?: string | null
  quantity: number
}

/**
 * For a reservation refused for lack of stock: per location of the call, the other locations
 * where every item the call reserves there together (a line item's parts: Medusa reserves a
 * kit's items in one call, at one location) was available in the quantity asked, in the
 * strategy's order (most available first; or in priority order). The reservation call does not
 * say which locations its sales channel has, so every live level of the items counts. Read
 * after the refusal, outside its locks: what was true a moment ago.
 */
export async function whereEnough(ctx: StockContext, demands: Demand[]): Promise<Map<string, EnoughAt[]>> {
  const items = [...new Set(demands.map((d) => d.inventory_item_id))]
  const levels = await ctx.db.rows<{ inventory_item_id: string; location_id: string; available: number }>(
    `SELECT inventory_item_id, location_id, stocked_quantity - reserved_quantity AS available
       FROM inventory_level WHERE inventory_item_id = ANY($1::text[]) AND deleted_at IS NULL`,
    [items]
  )
  const availableAt = new Map(levels.map((l) => [levelKey(l.inventory_item_id, l.location_id), l.available]))
  const locations = [...new Set(levels.map((l) => l.location_id))]
  // A line item's parts at one location are one group; a reservation without a line item is its own.
  const groups = new Map<string, Map<string, number>>()
  demands.forEach((d, i) => {
    const key = `${d.location_id}\u0000${d.line_item_id ?? `\u0001${i}`}`
    const wanted = groups.get(key) ?? new Map<string, number>()
    wanted.set(d.inventory_item_id, (wanted.get(d.inventory_item_id) ?? 0) + d.quantity)
    groups.set(key, wanted)
  })
  const answer = new Map<string, EnoughAt[]>()
  for (const [key, wanted] of groups) {
    const [at] = key.split("\u0000")
    const [first] = wanted.keys()
    const enough = locations
      .filter((location) => location !== at && [...wanted].every(([item, quantity]) => (availableAt.get(levelKey(item, location)) ?? -Infinity) >= quantity))
      .map((location) => ({ location_id: location, available: availableAt.get(levelKey(first, location))! }))
    const rank = ctx.allocation.kind === "priority" ? ctx.allocation.locations : []
    const position = (location: string) => (rank.includes(location) ? rank.indexOf(location) : rank.length)
    enough.sort((a, b) =>
      ctx.allocation.kind === "priority"
        ? position(a.location_id) - position(b.location_id) || a.location_id.localeCompare(b.location_id)
        : b.available - a.available || a.location_id.localeCompare(b.location_id)
    )
    // With several items (a kit's parts), the first one's quantity would say little: none is given.
    const named: EnoughAt[] = wanted.size === 1 ? enough : enough.map(({ location_id }) => ({ location_id, parts: wanted.size }))
    for (const item of wanted.keys()) {
      const previous = answer.get(levelKey(item, at))
      // An item refused at a location for several line items: the locations that would take each of them.
      answer.set(levelKey(item, at), previous ? previous.filter((p) => named.some((e) => e.location_id === p.location_id)) : named)
    }
  }
  return answer
}
