import type { StockContext } from "./context"

/**
 * Every row lock the module takes, in one place (Saleor's `lock_objects.py` is the model).
 * The rules that keep concurrent calls exact and free of deadlocks:
 *
 * 1. Levels are locked FOR UPDATE in `id` order, whether here or inside a statement
 *    (`APPLY_RESERVED_DELTAS`, the reserve and level-update statements): two calls touching
 *    the same levels queue instead of deadlocking.
 * 2. Items are locked before their levels: `lockItemsForDelete` FOR UPDATE (an item delete),
 *    level inserts FOR KEY SHARE in the insert statement (a level created while its item is
 *    deleted either waits for the delete or is refused).
 * 3. A reservation is locked FOR UPDATE before its levels (`lockReservation`); reservations
 *    counted for a recount are locked FOR SHARE (`liveReservationSums` with `lock`).
 * 4. Releases adjust levels in a statement of their own, after the reservations are deleted,
 *    so they see a level that was (re-)created meanwhile.
 */

export interface LevelKey {
  inventory_item_id: string
  location_id: string
}

/** A level's id and quantities as read under its lock. */
export interface LevelQuantities extends LevelKey {
  id: string
  stocked_quantity: number
  reserved_quantity: number
}

/** A map key for an (item, location) pair. */
export const levelKey = (itemId: string, locationId: string): string => `${itemId}\u0000${locationId}`

/** Locks the live levels of the given (item, location) pairs, in id order; keyed by `levelKey`. */
export async function lockLevels(ctx: StockContext, pairs: LevelKey[]): Promise<Map<string, LevelQuantities>> {
  const rows = await ctx.db.rows<LevelQuantities>(
    `SELECT l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity
       FROM inventory_level l
      WHERE (l.inventory_item_id, l.location_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))
        AND l.deleted_at IS NULL
      ORDER BY l.id
        FOR UPDATE OF l`,
    [pairs.map((p) => p.inventory_item_id), pairs.map((p) => p.location_id)]
  )
  return new Map(rows.map((row) => [levelKey(row.inventory_item_id, row.location_id), row]))
}

/**
 * Locks live items for their delete, in id order, in a statement of its own: a level being
 * created for one of them commits before the delete takes its snapshot, so it is deleted too.
 */
export async function lockItemsForDelete(ctx: StockContext, ids: string[]): Promise<void> {
  await ctx.db.rows(`SELECT id FROM inventory_item WHERE id = ANY($1::text[]) AND deleted_at IS NULL ORDER BY id FOR UPDATE`, [ids])
}

/** Locks a live reservation and reads it; concurrent updates of it then run one after the other. */
export async function lockReservation<T>(ctx: StockContext, id: string, columns: string): Promise<T | undefined> {
  const [row] = await ctx.db.rows<T>(`SELECT ${columns} FROM reservation_item WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`, [id])
  return row
}

/**
 * The SQL fragment that adds `delta` to `reserved_quantity` of the levels listed in the CTE
 * named `deltas` (columns: level_id text, delta int; one row per level), locking them in id
 * order first. The CTE `adjusted` returns each changed level's key, new quantities, delta and
 * low-stock threshold text, for the statement's movements.
 */
export const APPLY_RESERVED_DELTAS = `
  locked AS (
    SELECT l.id FROM inventory_level l JOIN deltas d ON d.level_id = l.id
    ORDER BY l.id FOR UPDATE OF l
  ),
  adjusted AS (
    UPDATE inventory_level l
       SET reserved_quantity = l.reserved_quantity + d.delta, updated_at = now()
      FROM deltas d
     WHERE l.id = d.level_id AND l.id IN (SELECT id FROM locked) AND d.delta <> 0
       -- Re-checked on the row as it is after the lock: a level deleted meanwhile keeps its
       -- quantities (and gets no movement); restoring it recounts them.
       AND l.deleted_at IS NULL
    RETURNING l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, d.delta,
              l.metadata->>'low_stock_threshold' AS threshold
  )`
