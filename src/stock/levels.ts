import type { InventoryLevelDTO } from "@medusajs/types"
import type { ListSpec } from "../db/list-query"
import { itemNotFound, levelNotFound, noLevelToAdjust, notStockedAt } from "../utils/errors"
import { inIdOrder, newIds } from "../utils/ids"
import type { StockContext } from "./context"
import { LevelKey, levelKey, lockLevels } from "./locking"
import { dtoCopier, MANY_ROWS } from "../db/list-query"
import { batchedRead, ReadBatch } from "../db/read-batch"
import { runnable, ServerFunction } from "../db/server-functions"
import {
  ALERTS_COLUMN,
  ledgerSql,
  levelsAddedMoves,
  levelsDeletedMoves,
  movesCte,
  noteCrossing,
  Reasons,
  reasonLiteral,
  recordSql,
  takeAlerts,
  thresholdOf,
  WHOLE_LEVEL_RETURNING,
} from "./ledger"
import { liveReservationSums } from "./reservations"
import { columnList, jsonParam, LevelInput, LevelKeyedUpdate, LEVELS, unnestRows } from "./tables"

/** Inventory levels: the stock of an item at a location. */

export const LEVEL_LIST: ListSpec = LEVELS

const COLUMNS = columnList(LEVELS)
const LEVEL_COLUMNS = Object.keys(LEVELS.columns)

/**
 * A level row (every column of LEVELS) as callers see it: the official fields, and the units set
 * aside as `unavailable: { damaged, quality_control, safety_stock }`. A new object of one shape.
 */
export const levelDto: (row: object) => InventoryLevelDTO = dtoCopier(LEVELS, LEVEL_COLUMNS) as unknown as (row: object) => InventoryLevelDTO

/**
 * Creates levels in one statement, inserting nothing unless every item exists. The items are
 * key-share-locked, so an item delete running at the same time either waits for these levels
 * (and deletes them) or wins first (and these are refused). A level created without
 * `reserved_quantity` starts with the live reservations of its item and location (I2).
 */
export async function insertLevels(ctx: StockContext, rows: LevelInput[]): Promise<InventoryLevelDTO[]> {
  if (!rows.length) return []
  const ids = newIds("ilev", rows.length)
  // An omitted reserved quantity is NULL here, 0 in the row, and recounted below.
  const input = unnestRows(LEVELS, ids, rows, 1, { reserved_quantity: rows.map((r) => r.reserved_quantity ?? null) })
  const columns = input.columns.join(", ")
  // The distinct items, found by their key (the planner cannot know how many an unnest holds,
  // and grouping it in SQL cost more than the lookup).
  const itemIds = [...new Set(rows.map((r) => r.inventory_item_id))]
  const itemsParam = input.params.push(itemIds, itemIds.length) - 1
  const inserted = await ctx.db.rows<InventoryLevelDTO>(
    `WITH input AS (SELECT * FROM ${input.sql}),
     items AS (
       SELECT it.id FROM inventory_item it
        WHERE it.id = ANY($${itemsParam}::text[]) AND it.deleted_at IS NULL
        ORDER BY it.id
          FOR KEY SHARE
     ),
     ins AS (
       INSERT INTO inventory_level (${columns})
       SELECT ${input.columns.map((c) => (c === "reserved_quantity" ? "COALESCE(reserved_quantity, 0)" : c)).join(", ")}
         FROM input
        WHERE (SELECT count(*) FROM items) = $${itemsParam + 1}::int
       RETURNING ${COLUMNS}
     ),
     ${levelsAddedMoves("ins", Reasons.LEVEL_CREATED)},
     ${ledgerSql(ctx, input.params, ctx.note, { extended: true })}
     SELECT * FROM ins`,
    input.params,
    undefined,
    rows.length >= MANY_ROWS
  )
  if (inserted.length !== rows.length) {
    const missing = await ctx.db.rows<{ id: string }>(
      `SELECT DISTINCT u.id FROM unnest($1::text[]) AS u(id)
        WHERE NOT EXISTS (SELECT 1 FROM inventory_item it WHERE it.id = u.id AND it.deleted_at IS NULL)`,
      [rows.map((r) => r.inventory_item_id)]
    )
    const absent = new Set(missing.map((m) => m.id))
    throw itemNotFound(rows.filter((r) => absent.has(r.inventory_item_id)).map((r) => r.inventory_item_id))
  }
  // Reservations outlive a deleted level: a level made again starts with them (I2). The
  // count needs a snapshot taken after the insert: a reservation made on the level this one
  // replaces may have committed while the insert waited for that level's delete.
  const recounted = await countOutlivingReservations(
    ctx,
    rows.filter((r) => r.reserved_quantity === undefined)
  )
  const levels = inIdOrder(ids, inserted).map((row) => levelDto(row))
  if (recounted.size) for (const level of levels) if (recounted.has(level.id)) level.reserved_quantity = recounted.get(level.id)!
  return levels
}

/**
 * Gives the just-created live levels of `pairs` (created with reserved_quantity 0) the
 * quantity of the live reservations of their item and location, where there are any (they
 * outlived a level deleted before); returns those levels' new reserved quantity. A statement
 * of its own, with the reservations share-locked; it starts from the reservations, so where
 * none outlived a level (nearly always) it reads them and writes nothing.
 */
async function countOutlivingReservations(ctx: StockContext, pairs: LevelKey[]): Promise<Map<string, number>> {
  if (!pairs.length) return new Map()
  return await recount(
    ctx,
    `pairs AS (SELECT * FROM unnest($1::text[], $2::text[]) AS p(inventory_item_id, location_id)),
     ${liveReservationSums("pairs", { lock: true })},
     lv AS (
       SELECT l.id, s.quantity, l.reserved_quantity AS old_reserved
         FROM inventory_level l JOIN sums s ON s.inventory_item_id = l.inventory_item_id AND s.location_id = l.location_id
        WHERE l.deleted_at IS NULL
     ),
     upd AS (
       UPDATE inventory_level l SET reserved_quantity = lv.quantity
         FROM lv
        WHERE l.id = lv.id AND l.reserved_quantity IS DISTINCT FROM lv.quantity
       RETURNING l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, lv.old_reserved
     )`,
    [pairs.map((p) => p.inventory_item_id), pairs.map((p) => p.location_id)],
    Reasons.LEVEL_CREATED
  )
}

/**
 * Sets reserved_quantity of the given (new or restored, so row-locked) levels to the sum of
 * their live reservations, writing only the levels where it differs; returns those. A
 * statement of its own, after the levels were written, with the reservations share-locked.
 */
export async function recountReserved(ctx: StockContext, levelIds: string[], reason: typeof Reasons.LEVEL_RESTORED): Promise<Map<string, number>> {
  if (!levelIds.length) return new Map()
  return await recount(
    ctx,
    `lv AS (
       SELECT id, inventory_item_id, location_id, reserved_quantity AS old_reserved FROM inventory_level WHERE id = ANY($1::text[])
     ),
     ${liveReservationSums("lv", { lock: true })},
     upd AS (
       UPDATE inventory_level l SET reserved_quantity = COALESCE(s.quantity, 0)
         FROM lv LEFT JOIN sums s ON s.inventory_item_id = lv.inventory_item_id AND s.location_id = lv.location_id
        WHERE l.id = lv.id AND l.reserved_quantity IS DISTINCT FROM COALESCE(s.quantity, 0)
       RETURNING l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, lv.old_reserved
     )`,
    [levelIds],
    reason
  )
}

/**
 * A recount statement: `ctes` (over `params`) end in `upd`, the levels whose reserved quantity
 * it set (with their `old_reserved`); each gets a movement. Their new reserved quantity, by id.
 */
async function recount(
  ctx: StockContext,
  ctes: string,
  params: unknown[],
  reason: typeof Reasons.LEVEL_CREATED | typeof Reasons.LEVEL_RESTORED
): Promise<Map<string, number>> {
  const rows = await ctx.db.rows<{ id: string; reserved_quantity: number }>(
    `WITH ${ctes},
     ${movesCte("upd", {
       level_id: "id",
       stocked_delta: "0",
       reserved_delta: "reserved_quantity::bigint - old_reserved",
       stocked_after: "stocked_quantity",
       reserved_after: "reserved_quantity",
       reason: reasonLiteral(reason),
     })},
     ${ledgerSql(ctx, params)}
     SELECT id, reserved_quantity FROM upd`,
    params
  )
  return new Map(rows.map((row) => [row.id, row.reserved_quantity]))
}

export interface LevelUpdates {
  /** One level per update, in input order. */
  levels: InventoryLevelDTO[]
  /** The ids of the levels whose values changed. */
  changed: string[]
}

/**
 * Applies level updates in one statement. Repeated (item, location) pairs are merged in
 * order, later fields winning. Nothing is written unless every level exists; then the error
 * names each failing update as given, in input order.
 */
export async function updateLevels(ctx: StockContext, updates: LevelKeyedUpdate[]): Promise<LevelUpdates> {
  if (!updates.length) return { levels: [], changed: [] }
  // The distinct pairs in order of first appearance, and each update's place among them.
  const list: LevelKeyedUpdate[] = []
  const places = new Array<number>(updates.length)
  const placeOf = new Map<string, number>()
  updates.forEach((update, i) => {
    const key = levelKey(update.inventory_item_id, update.location_id)
    const place = placeOf.get(key)
    if (place === undefined) {
      placeOf.set(key, list.length)
      places[i] = list.length
      list.push(update)
      return
    }
    // A repeated pair: its later fields win.
    const defined = Object.fromEntries(Object.entries(update).filter(([, v]) => v !== undefined))
    list[place] = { ...list[place], ...defined } as LevelKeyedUpdate
    places[i] = place
  })
  const params: unknown[] = [
    list.map((u) => u.inventory_item_id),
    list.map((u) => u.location_id),
    list.map((u) => u.stocked_quantity ?? null),
    list.map((u) => u.incoming_quantity ?? null),
    list.map((u) => u.reserved_quantity ?? null),
    list.map((u) => u.metadata !== undefined),
    list.map((u) => jsonParam(u.metadata)),
  ]
  const written = await ctx.db.rows<InventoryLevelDTO & { changed: boolean; n: number }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::boolean[], $7::jsonb[]) WITH ORDINALITY
         AS u(inventory_item_id, location_id, stocked_quantity, incoming_quantity, reserved_quantity, set_metadata, metadata, n)
     ),
     current AS (
       SELECT l.*, i.stocked_quantity AS new_stocked, i.incoming_quantity AS new_incoming,
              i.reserved_quantity AS new_reserved, i.set_metadata, i.metadata AS new_metadata, i.n
         FROM inventory_level l
         JOIN input i ON l.inventory_item_id = i.inventory_item_id AND l.location_id = i.location_id
        WHERE l.deleted_at IS NULL
        ORDER BY l.id
        FOR UPDATE OF l
     ),
     -- Every update has its level (the pairs are distinct): otherwise nothing is written.
     complete AS (SELECT (SELECT count(*) FROM current) = (SELECT count(*) FROM input) AS ok),
     changes AS (
       SELECT id,
              COALESCE(new_stocked, stocked_quantity) AS stocked_quantity,
              COALESCE(new_incoming, incoming_quantity) AS incoming_quantity,
              COALESCE(new_reserved, reserved_quantity) AS reserved_quantity,
              CASE WHEN set_metadata THEN new_metadata ELSE metadata END AS metadata,
              stocked_quantity AS old_stocked, reserved_quantity AS old_reserved, incoming_quantity AS old_incoming, n,
              (COALESCE(new_stocked, stocked_quantity) <> stocked_quantity
                OR COALESCE(new_incoming, incoming_quantity) <> incoming_quantity
                OR COALESCE(new_reserved, reserved_quantity) <> reserved_quantity
                OR (set_metadata AND new_metadata IS DISTINCT FROM metadata)) AS changed
         FROM current
     ),
     upd AS (
       UPDATE inventory_level l
          SET stocked_quantity = c.stocked_quantity, incoming_quantity = c.incoming_quantity,
              reserved_quantity = c.reserved_quantity, metadata = c.metadata,
              updated_at = CASE WHEN c.changed THEN now() ELSE l.updated_at END
         FROM changes c
        WHERE l.id = c.id AND (SELECT ok FROM complete)
       RETURNING ${columnList(LEVELS, "l")}, c.changed, c.old_stocked, c.old_reserved, c.old_incoming, c.n
     ),
     ${movesCte("upd", {
       level_id: "id",
       stocked_delta: "stocked_quantity::bigint - old_stocked",
       reserved_delta: "reserved_quantity::bigint - old_reserved",
       stocked_after: "stocked_quantity",
       reserved_after: "reserved_quantity",
       reason: reasonLiteral(Reasons.CORRECTION),
       threshold: thresholdOf("upd"),
       incoming_delta: "incoming_quantity::bigint - old_incoming",
     })},
     ${ledgerSql(ctx, params, ctx.note, { extended: true, onePerLevel: true })}
     SELECT ${COLUMNS}, changed, n::int AS n, ${ALERTS_COLUMN} FROM upd`,
    params,
    "mit_update_levels",
    list.length >= MANY_ROWS
  )
  takeAlerts(ctx, written, false)
  if (written.length !== list.length) {
    // The statement wrote nothing; name only the updates whose level is missing.
    const existing = await lockLevels(ctx, list)
    throw notStockedAt(updates.filter((u) => !existing.has(levelKey(u.inventory_item_id, u.location_id))))
  }
  // The levels as callers see them: the table's columns, the units set aside as `unavailable` (see levelDto).
  const atPlace = new Array<InventoryLevelDTO>(list.length)
  const changed: string[] = []
  for (const row of written) {
    atPlace[row.n - 1] = levelDto(row)
    if (row.changed) changed.push(row.id)
  }
  return { levels: places.map((place) => atPlace[place]), changed }
}

export async function findLevel(ctx: StockContext, key: LevelKey): Promise<InventoryLevelDTO> {
  const [level] = await ctx.read.rows<InventoryLevelDTO>(
    `SELECT ${COLUMNS} FROM inventory_level
      WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL LIMIT 1`,
    [key.inventory_item_id, key.location_id],
    "mit_retrieve_level"
  )
  if (!level) throw levelNotFound(key)
  return levelDto(level)
}

/**
 * Soft-deletes the live levels matching `where` (over `params`) in one statement, with a
 * `level_deleted` movement taking each one's quantities to zero; their ids.
 */
async function deleteLevelsWhere(ctx: StockContext, where: string, params: unknown[]): Promise<string[]> {
  const deleted = await ctx.db.rows<{ id: string }>(
    `WITH del AS (
       UPDATE inventory_level SET deleted_at = now()
        WHERE ${where} AND deleted_at IS NULL
       RETURNING id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, ${WHOLE_LEVEL_RETURNING}
     ),
     ${levelsDeletedMoves("del")},
     ${ledgerSql(ctx, params, ctx.note, { extended: true })}
     SELECT id FROM del`,
    params
  )
  return deleted.map((row) => row.id)
}

/** Soft-deletes the live level of `key`; its id, or undefined when there was none. */
export async function deleteLevel(ctx: StockContext, key: LevelKey): Promise<string | undefined> {
  const [id] = await deleteLevelsWhere(ctx, "inventory_item_id = $1 AND location_id = $2", [key.inventory_item_id, key.location_id])
  return id
}

/** Soft-deletes every live level at the given locations. */
export async function deleteLevelsAt(ctx: StockContext, locationIds: string[]): Promise<void> {
  await deleteLevelsWhere(ctx, "location_id = ANY($1::text[])", [locationIds])
}

/** Adds `delta` to a level's stocked quantity in one statement: concurrent adjustments add up exactly. */
export async function adjustStocked(ctx: StockContext, key: LevelKey, delta: number): Promise<InventoryLevelDTO> {
  const params: unknown[] = [key.inventory_item_id, key.location_id, delta]
  const rows = await ctx.db.rows<InventoryLevelDTO>(
    `WITH upd AS (
       UPDATE inventory_level
          SET stocked_quantity = stocked_quantity + $3::int,
              updated_at = CASE WHEN $3::int = 0 THEN updated_at ELSE now() END
        WHERE inventory_item_id = $1 AND location_id = $2 AND deleted_at IS NULL
       RETURNING ${COLUMNS}
     ),
     ${movesCte("upd", {
       level_id: "id",
       stocked_delta: "$3::bigint",
       reserved_delta: "0",
       stocked_after: "stocked_quantity",
       reserved_after: "reserved_quantity",
       reason: reasonLiteral(Reasons.ADJUSTMENT),
     })},
     ${recordSql(ctx, params)}
     SELECT ${COLUMNS}, ${thresholdOf("upd")} AS _threshold FROM upd`,
    params,
    "mit_adjust"
  )
  const [row] = rows as (InventoryLevelDTO & { _threshold: string | null })[]
  if (!row) throw noLevelToAdjust(key)
  const level = levelDto(row)
  const after = level.stocked_quantity - level.reserved_quantity
  noteCrossing(ctx, level, after - delta, after, row._threshold)
  return level
}

/** The quantities `sumLevels` adds up over an item's live levels. */
export type LevelQuantity = "available" | "stocked" | "reserved"

const QUANTITY_SQL: Record<LevelQuantity, string> = {
  available: "stocked_quantity - reserved_quantity",
  stocked: "stocked_quantity",
  reserved: "reserved_quantity",
}

/**
 * Per quantity, the server function (see db/server-functions) behind `sumLevels`: a checkout's
 * availability check. Whether the item exists is read from the item only when it has no live
 * level at those locations: a live level's item is live (an item delete deletes its levels, a
 * level insert key-share-locks its item), and the OR stops at its first true operand.
 */
function sumLevelsFunction(quantity: LevelQuantity): ServerFunction {
  return {
    name: `inventory_sum_${quantity}_v2`,
    sql: oneSql("sum", quantity),
    returns: [
      ["found", "boolean"],
      ["quantity", "bigint"],
    ],
  }
}

/** One ask's aggregate (and whether its item exists), as `sumLevelsFunction` describes it. */
function oneSql(aggregate: LevelAggregate, quantity: LevelQuantity): string {
  return `SELECT s.levels > 0 OR EXISTS (SELECT 1 FROM inventory_item WHERE id = $1::text AND deleted_at IS NULL) AS found,
            COALESCE(s.total, 0)::bigint AS quantity
       FROM (SELECT count(*) AS levels, ${aggregate}(${QUANTITY_SQL[quantity]}) AS total FROM inventory_level
              WHERE inventory_item_id = $1::text AND location_id = ANY($2::text[]) AND deleted_at IS NULL) s`
}

export const SUM_LEVELS_FUNCTIONS: Record<LevelQuantity, ServerFunction> = {
  available: sumLevelsFunction("available"),
  stocked: sumLevelsFunction("stocked"),
  reserved: sumLevelsFunction("reserved"),
}

const SUM_LEVELS_CALLS = Object.fromEntries(
  Object.entries(SUM_LEVELS_FUNCTIONS).map(([quantity, fn]) => [quantity, runnable(fn)])
) as Record<LevelQuantity, ReturnType<typeof runnable>>

/** One ask of `sumLevels` (or of another aggregate of an item's levels at some locations). */
export interface SumAsk {
  itemId: string
  locationIds: string[]
}

export interface SumAnswer {
  found: boolean
  quantity: number
}

/** How an item's levels at the given locations are combined: their total, or the largest at one location. */
export type LevelAggregate = "sum" | "max"

/**
 * The aggregates of several asks in one statement: per ask (its position `n`), whether its
 * item exists and the aggregate over its item's live levels at its locations. The asks'
 * locations travel as one two-dimensional array, a row per ask padded with NULLs (which match
 * no level); `= ANY` of a row's slice reads its elements, so each ask is one index probe, and
 * a second (its item) only when it found no level, as when alone.
 */
function batchSql(aggregate: LevelAggregate, quantity: LevelQuantity): string {
  return `SELECT a.n, s.levels > 0 OR EXISTS (SELECT 1 FROM inventory_item it WHERE it.id = a.item AND it.deleted_at IS NULL) AS found,
            COALESCE(s.total, 0)::bigint AS quantity
       FROM unnest($1::text[]) WITH ORDINALITY AS a(item, n)
      CROSS JOIN LATERAL (
            SELECT count(*) AS levels, ${aggregate}(${QUANTITY_SQL[quantity]}) AS total FROM inventory_level l
             WHERE l.inventory_item_id = a.item AND l.location_id = ANY(($2::text[])[a.n:a.n]) AND l.deleted_at IS NULL) s
      ORDER BY a.n`
}

/**
 * Asks of one aggregate of one quantity, batched when asked at once (db/read-batch.ts). A sum
 * asked alone runs its server function; other aggregates run their statement.
 */
export function levelBatch(aggregate: LevelAggregate, quantity: LevelQuantity): ReadBatch<SumAsk, SumAnswer> {
  const sql = batchSql(aggregate, quantity)
  const key = aggregate === "sum" ? `sum_${quantity}` : `${aggregate}_${quantity}`
  const single = oneSql(aggregate, quantity)
  return {
    key,
    max: 64,
    inFlight: 4,
    async one(db, ask) {
      const [row] =
        aggregate === "sum"
          ? await db.call<{ found: boolean; quantity: string }>(SUM_LEVELS_CALLS[quantity], [ask.itemId, ask.locationIds], `mit_sum_${quantity}`)
          : await db.rows<{ found: boolean; quantity: string }>(single, [ask.itemId, ask.locationIds], `mit_${key}`)
      return { found: row.found, quantity: Number(row.quantity) }
    },
    async many(db, asks) {
      const width = Math.max(1, ...asks.map((a) => a.locationIds.length))
      const places = asks.map((a) => [...a.locationIds, ...new Array<null>(width - a.locationIds.length).fill(null)])
      const rows = await db.rows<{ found: boolean; quantity: string }>(sql, [asks.map((a) => a.itemId), places], `mit_${key}_batch`)
      return rows.map((row) => ({ found: row.found, quantity: Number(row.quantity) }))
    },
  }
}

const SUM_BATCHES: Record<LevelQuantity, ReadBatch<SumAsk, SumAnswer>> = {
  available: levelBatch("sum", "available"),
  stocked: levelBatch("sum", "stocked"),
  reserved: levelBatch("sum", "reserved"),
}

/** The answer of a batched level aggregate (`levelBatch`); NOT_FOUND when the item does not exist. */
export async function aggregateLevels(ctx: StockContext, batch: ReadBatch<SumAsk, SumAnswer>, itemId: string, locationIds: string[]): Promise<number> {
  const ask = { itemId, locationIds }
  const answer = ctx.db.pool ? await batchedRead(ctx.db.pool, batch, ctx.db, ask) : await batch.one(ctx.db, ask)
  if (!answer.found) throw itemNotFound(itemId)
  return answer.quantity
}

/**
 * The sum of one quantity over an item's live levels at the given locations (0 for none);
 * NOT_FOUND when the item does not exist. Always on the primary: checkouts decide on it.
 * Outside a transaction, sums asked at the same moment share one statement (db/read-batch.ts).
 */
export async function sumLevels(ctx: StockContext, quantity: LevelQuantity, itemId: string, locationIds: string[]): Promise<number> {
  return await aggregateLevels(ctx, SUM_BATCHES[quantity], itemId, locationIds)
}
