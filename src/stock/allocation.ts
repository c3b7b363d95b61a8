import type { InventoryLevelDTO, ReservationItemDTO } from "@medusajs/types"
import { ListConfig, OrderTerm, runListQuery } from "../db/list-query"
import type { Allocation } from "../options"
import type { StockContext } from "./context"
import { aggregateLevels, LEVEL_LIST, levelBatch, sumLevels } from "./levels"
import { levelKey } from "./locking"
import { reserve, reserveIfAvailable } from "./reservations"
import type { ReservationInput } from "./tables"

/**
 * Allocation: which of the sales channel's locations a reservation goes to.
 *
 * Medusa 1.20 decides it in one place, `ProductVariantInventoryService.reserveQuantity`
 * (cart completion, swaps, claims): in the checkout's transaction, it lists the levels of the variant's first inventory item at
 * the sales channel's locations, `listInventoryLevels({ inventory_item_id, location_id: [...] },
 * undefined, { transactionManager })`, and reserves every part of the variant at the first
 * level's location, `createReservationItems([...], { transactionManager })`. The module sees
 * both calls, so it decides in two steps (option `allocation`):
 *
 * 1. The list is ordered by the strategy (`allocationOrder`): `most-available`, most available
 *    stock (stocked − reserved) first, ties by location id; `{ priority }`, the locations with
 *    a unit available in priority order, then those without, in priority order (locations the
 *    list does not name after the named ones of their group, by id). The list carries no
 *    quantity and names one item, so "can cover" can only mean "has a unit available", and a
 *    kit is ordered by its first item alone.
 * 2. The reservation that follows in the same transaction at the location the list put first
 *    (`allocate`) is placed again, now that its quantities and every part of a kit are known:
 *    at the first of the listed locations, in the strategy's order at that moment, where every
 *    part is available in its quantity, under the level's lock, so a concurrent checkout that
 *    took the stock first moves it on to the next. Where none has enough it is made where it
 *    was asked (and refused there under strictReservations, naming where each part was).
 *
 * Step 2 needs the caller's active transaction to tie the reservation to its list: Medusa's
 * swap and claim services call reserveQuantity outside theirs, with the shared manager, and get
 * step 1 only. `as-listed` (the default) does neither: the official order, reservations where asked.
 * What stays out of reach: confirmInventory is asked per item and outside the transaction, so
 * `confirmPerLocation` checks each part of a kit on its own; reservations made with a location
 * of the caller's choosing are made there.
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

/** What a strategy's list offered for an item in a caller's transaction: the locations asked about, and the one put first. */
interface Offer {
  first: string
  locations: string[]
}

/**
 * Per caller's transaction (its EntityManager, which Medusa passes to the list and then to the
 * reservation), per item: the last offer. Gone with the transaction's manager.
 */
const offers = new WeakMap<object, Map<string, Offer>>()

/**
 * `listInventoryLevels`: the levels of `selector` as `config` asks, in the allocation
 * strategy's order where it applies (allocationOrder). One statement either way. In a
 * caller's transaction, a strategy's list is remembered as an offer (see `allocate`).
 */
export async function listLevels(ctx: StockContext, selector: Record<string, unknown>, config: ListConfig): Promise<[InventoryLevelDTO[], number]> {
  const defaultOrder = allocationOrder(ctx.allocation, selector, config)
  const [rows, count] = await runListQuery(ctx.read, LEVEL_LIST, selector, config, defaultOrder ? { defaultOrder } : undefined)
  const levels = rows as unknown as InventoryLevelDTO[]
  if (defaultOrder && ctx.caller && levels.length && !config.skip) {
    let byItem = offers.get(ctx.caller)
    if (!byItem) offers.set(ctx.caller, (byItem = new Map()))
    byItem.set(selector.inventory_item_id as string, { first: levels[0].location_id, locations: [...(selector.location_id as string[])] })
  }
  return [levels, count]
}

/**
 * `createReservationItem(s)`. Where the module chose the location (a strategy's list offered
 * the item's levels in this caller's transaction, and every reservation of the call is at the
 * location it put first, which is what Medusa 1.20's reserveQuantity does), the location is
 * decided again now that the quantities are known: the first of the offered locations, in the
 * strategy's order at this moment, where every item of the call (a kit's parts) is available
 * in its quantity, reserved there under the level's lock (a concurrent checkout that took the
 * stock first moves this one on to the next). Where none has enough: the location asked for
 * (refused under strictReservations). Every other reservation is made where it is asked.
 */
export async function allocate(ctx: StockContext, rows: ReservationInput[]): Promise<ReservationItemDTO[]> {
  const offer = offerFor(ctx, rows)
  if (!offer) return await reserve(ctx, rows)
  for (const location of await coveringLocations(ctx, rows, offer)) {
    const placed = await reserveIfAvailable(ctx, location === offer.first ? rows : rows.map((row) => ({ ...row, location_id: location })))
    if (placed) return placed
  }
  return await reserve(ctx, rows)
}

/** The offer that chose the location of `rows`, if one did. */
function offerFor(ctx: StockContext, rows: ReservationInput[]): (Offer & { item: string }) | undefined {
  if (ctx.allocation.kind === "as-listed" || !ctx.caller || !rows.length) return undefined
  const byItem = offers.get(ctx.caller)
  const location = rows[0].location_id
  if (!byItem || rows.some((row) => row.location_id !== location)) return undefined
  for (const row of rows) {
    const offer = byItem.get(row.inventory_item_id)
    if (offer && offer.first === location) return { ...offer, item: row.inventory_item_id }
  }
  return undefined
}

/**
 * The offered locations where every item of `rows` is available in the quantity asked, in the
 * strategy's order (most available of the offered item first; or priority order), as
 * committed data has them now. One statement, by the levels' index; nothing locked.
 */
async function coveringLocations(ctx: StockContext, rows: ReservationInput[], offer: Offer & { item: string }): Promise<string[]> {
  const wanted = new Map<string, number>()
  for (const row of rows) wanted.set(row.inventory_item_id, (wanted.get(row.inventory_item_id) ?? 0) + row.quantity)
  const levels = await ctx.db.rows<{ inventory_item_id: string; location_id: string; available: number }>(
    `SELECT inventory_item_id, location_id, stocked_quantity - reserved_quantity AS available
       FROM inventory_level
      WHERE inventory_item_id = ANY($1::text[]) AND location_id = ANY($2::text[]) AND deleted_at IS NULL`,
    [[...wanted.keys()], offer.locations],
    "mit_allocation_levels"
  )
  const availableAt = new Map(levels.map((l) => [levelKey(l.inventory_item_id, l.location_id), l.available]))
  const covering = offer.locations.filter((location) =>
    [...wanted].every(([item, quantity]) => (availableAt.get(levelKey(item, location)) ?? -Infinity) >= quantity)
  )
  return inStrategyOrder(ctx.allocation, covering, (location) => availableAt.get(levelKey(offer.item, location)) ?? 0)
}

/** `locations` in the strategy's order: by `available` (most first), or by priority; ties by location id. */
function inStrategyOrder(allocation: Allocation, locations: string[], available: (location: string) => number): string[] {
  const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
  if (allocation.kind !== "priority") return [...locations].sort((a, b) => available(b) - available(a) || byId(a, b))
  const rank = (location: string) => {
    const position = allocation.locations.indexOf(location)
    return position === -1 ? allocation.locations.length : position
  }
  return [...locations].sort((a, b) => rank(a) - rank(b) || byId(a, b))
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
    const ordered = inStrategyOrder(ctx.allocation, enough.map((e) => e.location_id), (location) => enough.find((e) => e.location_id === location)!.available)
    enough.sort((a, b) => ordered.indexOf(a.location_id) - ordered.indexOf(b.location_id))
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
