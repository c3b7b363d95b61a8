import type { InventoryItemDTO } from "@medusajs/types"
import type { ListSpec } from "../db/list-query"
import { likePattern, MANY_ROWS } from "../db/list-query"
import { invalidData, itemNotFound } from "../utils/errors"
import { inIdOrder, newIds } from "../utils/ids"
import { locationFilter, toArray, validate } from "../utils/validation"
import type { StockContext } from "./context"
import { ledgerSql, levelsAddedMoves, levelsDeletedMoves, Reasons, WHOLE_LEVEL_RETURNING } from "./ledger"
import { recountReserved } from "./levels"
import { lockItemsForDelete } from "./locking"
import { castOf, columnList, ItemInput, ITEMS, jsonParam, unnestRows } from "./tables"

/** Inventory items: create, update, delete with their levels, restore. */

const COLUMNS = columnList(ITEMS)

export const ITEM_LIST: ListSpec = {
  ...ITEMS,
  itemListQuirks: true,
  special: {
    q: (where, value, alias) => {
      if (value === null || value === "") return
      if (typeof value !== "string") throw invalidData(`Filter "q" must be a string`)
      // One expression over sku, title and description, served by one trigram index (see the
      // search-indexes migration); its separator is taken out of the text so no match spans fields.
      const pattern = likePattern(value.split(String.fromCharCode(31)).join(""), "%", "%")
      where.and(`inventory_item_search_text(${alias}.sku, ${alias}.title, ${alias}.description) ILIKE ${where.bind(pattern)}`)
      where.materialize()
    },
    location_id: (where, value, alias) => {
      // An empty string is a value that matches nothing, as in the official module: Medusa
      // Admin's Inventory page asks for `?location_id=` before it has picked a location.
      const ids = toArray(validate(locationFilter, value, "selector.location_id")).filter((id) => id !== "")
      if (!ids.length) {
        where.and("FALSE")
        return
      }
      where.and(
        `EXISTS (SELECT 1 FROM inventory_level lvl WHERE lvl.inventory_item_id = ${alias}.id
           AND lvl.location_id = ANY(${where.bind(ids)}::text[]) AND lvl.deleted_at IS NULL)`
      )
    },
  },
}

/** A single item (retrieveInventoryItem): `config.relations` is joined, as the official retrieve does. */
export const ITEM_RETRIEVE: ListSpec = { ...ITEM_LIST, itemListQuirks: false }

/** Creates items in one statement for any number of rows: each column travels as one array parameter. */
export async function insertItems(ctx: StockContext, rows: ItemInput[]): Promise<InventoryItemDTO[]> {
  if (!rows.length) return []
  const ids = newIds("iitem", rows.length)
  const input = unnestRows(ITEMS, ids, rows)
  const inserted = await ctx.db.rows<InventoryItemDTO>(
    `INSERT INTO inventory_item (${input.columns.join(", ")}) SELECT * FROM ${input.sql} RETURNING ${COLUMNS}`,
    input.params,
    "mit_insert_items",
    rows.length >= MANY_ROWS
  )
  return inIdOrder(ids, inserted)
}

export interface ItemUpdate {
  item: InventoryItemDTO
  changed: boolean
}

/**
 * Sets the given fields of a live item in one statement, only when one of them differs (so an
 * update that changes nothing keeps `updated_at` and sends no event); NOT_FOUND otherwise.
 */
export async function updateItem(ctx: StockContext, id: string, data: Partial<ItemInput>): Promise<ItemUpdate> {
  const fields = Object.entries(data).filter(([, value]) => value !== undefined)
  if (fields.length) {
    const params: unknown[] = [id]
    const assignments: string[] = []
    const changes: string[] = []
    for (const [column, value] of fields) {
      const cast = castOf(ITEMS, column)
      params.push(cast === "jsonb" ? jsonParam(value) : value)
      const placeholder = `$${params.length}::${cast}`
      assignments.push(`"${column}" = ${placeholder}`)
      changes.push(`"${column}" IS DISTINCT FROM ${placeholder}`)
    }
    const [updated] = await ctx.db.rows<InventoryItemDTO>(
      `UPDATE inventory_item SET ${assignments.join(", ")}, updated_at = now()
        WHERE id = $1 AND deleted_at IS NULL AND (${changes.join(" OR ")})
        RETURNING ${COLUMNS}`,
      params
    )
    if (updated) return { item: updated, changed: true }
  }
  // Nothing changed (or no such item): answer with the row as it is.
  const [item] = await ctx.db.rows<InventoryItemDTO>(`SELECT ${COLUMNS} FROM inventory_item WHERE id = $1 AND deleted_at IS NULL`, [id])
  if (!item) throw itemNotFound(id)
  return { item, changed: false }
}

/**
 * Soft-deletes items and their live levels, with one timestamp of their own: restore brings
 * back the levels stamped like their item. clock_timestamp(), not now(): a level deleted
 * earlier in the same transaction must not share it. The items are locked first.
 */
export async function deleteItems(ctx: StockContext, ids: string[]): Promise<void> {
  await lockItemsForDelete(ctx, ids)
  const params: unknown[] = [ids]
  await ctx.db.rows(
    `WITH stamp AS (SELECT clock_timestamp() AS at),
     levels AS (
       UPDATE inventory_level SET deleted_at = (SELECT at FROM stamp)
        WHERE inventory_item_id = ANY($1::text[]) AND deleted_at IS NULL
       RETURNING id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, ${WHOLE_LEVEL_RETURNING}
     ),
     ${levelsDeletedMoves("levels")},
     ${ledgerSql(ctx, params, ctx.note, { extended: true })}
     UPDATE inventory_item SET deleted_at = (SELECT at FROM stamp)
      WHERE id = ANY($1::text[]) AND deleted_at IS NULL RETURNING id`,
    params
  )
}

/**
 * Restores deleted items and the levels deleted together with them (not ones deleted before),
 * with a `level_restored` movement each, and recounts those levels' reserved quantity:
 * reservations deleted meanwhile could not release from a deleted level (I2).
 */
export async function restoreItems(ctx: StockContext, ids: string[]): Promise<void> {
  const params: unknown[] = [ids]
  const levels = await ctx.db.rows<{ id: string }>(
    `WITH items AS (
       SELECT id, deleted_at FROM inventory_item
        WHERE id = ANY($1::text[]) AND deleted_at IS NOT NULL FOR UPDATE
     ),
     levels AS (
       UPDATE inventory_level l SET deleted_at = NULL, updated_at = now()
         FROM items i
        WHERE l.inventory_item_id = i.id AND l.deleted_at = i.deleted_at
       RETURNING l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity,
                 l.incoming_quantity, l.damaged_quantity, l.quality_control_quantity, l.safety_stock_quantity
     ),
     ${levelsAddedMoves("levels", Reasons.LEVEL_RESTORED)},
     ${ledgerSql(ctx, params, ctx.note, { extended: true })},
     restored AS (
       UPDATE inventory_item SET deleted_at = NULL, updated_at = now()
        WHERE id IN (SELECT id FROM items) RETURNING id
     )
     SELECT id FROM levels`,
    params
  )
  await recountReserved(
    ctx,
    levels.map((l) => l.id),
    Reasons.LEVEL_RESTORED
  )
}
