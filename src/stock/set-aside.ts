import type { InventoryLevelDTO } from "@medusajs/types"
import { notEnoughAvailable, notEnoughSetAside, notStockedAt } from "../utils/errors"
import type { StockContext } from "./context"
import { movesCte, noteCrossing, Reasons, reasonLiteral, recordSql, SetAsideState, STATE_COLUMNS } from "./ledger"
import { levelDto } from "./levels"
import type { LevelKey } from "./locking"
import { columnList, LEVELS } from "./tables"

/**
 * Units set aside: damaged, in quality control or kept as safety stock. They leave
 * `stocked_quantity` (so Medusa's own availability, stocked − reserved, stays true without any
 * change to the host) and are held per (level, state) in the level's own columns
 * (`damaged_quantity`, …), which callers see as the level's `unavailable` breakdown. Each
 * change is one guarded statement with its movement, which carries the state.
 */

const COLUMNS = columnList(LEVELS)

export interface SetAsideChange extends LevelKey {
  quantity: number
  state: SetAsideState
}

/** Where released units go: back to stock, or out of the inventory (discarded). */
export type ReleaseTarget = "stocked" | "discard"

interface Written extends InventoryLevelDTO {
  _threshold: string | null
}

/**
 * Moves `quantity` units of a level from stocked to `state`, in one statement, only while the
 * level has them available (stocked − reserved ≥ quantity, checked on the row as it is when
 * the update takes its lock, so a concurrent checkout cannot make it oversell); otherwise
 * CONFLICT naming the need and what is available, and nothing is written.
 */
export async function setAside(ctx: StockContext, change: SetAsideChange): Promise<InventoryLevelDTO> {
  const column = STATE_COLUMNS[change.state]
  const level = await writeOne(ctx, change, {
    set: `stocked_quantity = stocked_quantity - $3::int, ${column} = ${column} + $3::int`,
    guard: `stocked_quantity - reserved_quantity >= $3::int`,
    stocked: -1,
    state: 1,
    reason: Reasons.SET_ASIDE,
  })
  if (level) return level
  const current = await readLevel(ctx, change)
  throw notEnoughAvailable(
    { inventory_item_id: change.inventory_item_id, location_id: change.location_id, requested: change.quantity, available: current.available },
    `set aside ${change.quantity} unit(s) as ${change.state}`
  )
}

/**
 * Takes `quantity` units of a level out of `state`: back to stocked (`to: "stocked"`) or out of
 * the inventory (`to: "discard"`), in one statement, only while the level holds that many in
 * that state; otherwise CONFLICT, and nothing is written.
 */
export async function releaseSetAside(ctx: StockContext, change: SetAsideChange, to: ReleaseTarget): Promise<InventoryLevelDTO> {
  const column = STATE_COLUMNS[change.state]
  const level = await writeOne(ctx, change, {
    set: `${to === "stocked" ? "stocked_quantity = stocked_quantity + $3::int, " : ""}${column} = ${column} - $3::int`,
    guard: `${column} >= $3::int`,
    stocked: to === "stocked" ? 1 : 0,
    state: -1,
    reason: to === "stocked" ? Reasons.RETURNED_TO_STOCK : Reasons.DISCARDED,
  })
  if (level) return level
  const current = await readLevel(ctx, change)
  throw notEnoughSetAside({
    inventory_item_id: change.inventory_item_id,
    location_id: change.location_id,
    state: change.state,
    requested: change.quantity,
    set_aside: current[change.state],
  })
}

interface Write {
  /** The SET clause ($3 is the quantity). */
  set: string
  /** The condition the level must meet for the write. */
  guard: string
  /** The sign of the movement's stocked delta and of its delta of the state's units (× the quantity). */
  stocked: -1 | 0 | 1
  state: -1 | 1
  reason: (typeof Reasons)[keyof typeof Reasons]
}

/** The guarded update of one level with its movement; the level as callers see it, or undefined when the guard failed. */
async function writeOne(ctx: StockContext, change: SetAsideChange, write: Write): Promise<InventoryLevelDTO | undefined> {
  const params: unknown[] = [change.inventory_item_id, change.location_id, change.quantity, change.state]
  const [row] = await ctx.db.rows<Written>(
    `WITH upd AS (
       UPDATE inventory_level SET ${write.set}, updated_at = now()
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL AND ${write.guard}
       RETURNING ${COLUMNS}
     ),
     ${movesCte("upd", {
       level_id: "id",
       stocked_delta: `${write.stocked} * $3::bigint`,
       reserved_delta: "0",
       stocked_after: "stocked_quantity",
       reserved_after: "reserved_quantity",
       reason: reasonLiteral(write.reason),
       [`${change.state}_delta`]: `${write.state} * $3::bigint`,
       state: "$4::text",
     })},
     ${recordSql(ctx, params, ctx.note, true)}
     SELECT ${COLUMNS}, metadata->>'low_stock_threshold' AS _threshold FROM upd`,
    params
  )
  if (!row) return undefined
  const level = levelDto(row)
  const after = level.stocked_quantity - level.reserved_quantity
  noteCrossing(ctx, level, after - write.stocked * change.quantity, after, row._threshold)
  return level
}

/** The level's availability and units set aside, to say why a write was refused; NOT_FOUND without a live level. */
async function readLevel(ctx: StockContext, key: LevelKey): Promise<{ available: number } & Record<SetAsideState, number>> {
  const [row] = await ctx.db.rows<{ available: number } & Record<SetAsideState, number>>(
    `SELECT stocked_quantity - reserved_quantity AS available, damaged_quantity AS damaged,
            quality_control_quantity AS quality_control, safety_stock_quantity AS safety_stock
       FROM inventory_level WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL`,
    [key.inventory_item_id, key.location_id]
  )
  if (!row) throw notStockedAt([key])
  return row
}
