import type { InventoryLevelDTO } from "@medusajs/types"
import { createHash } from "crypto"
import { idempotencyKeyReused, notStockedAt, staleQuantity } from "../utils/errors"
import type { StockContext } from "./context"
import { ALERTS_COLUMN, ledgerSql, movesCte, Reasons, reasonLiteral, takeAlerts, thresholdOf } from "./ledger"
import { levelDto } from "./levels"
import { levelKey, lockLevels } from "./locking"
import { columnList, LEVELS } from "./tables"

/**
 * The ledger's own writers (`adjustStockedQuantities`, `setStockedQuantities`): stocked
 * quantities changed by delta or set outright, optionally only while they still are what the
 * caller read (compare-and-set), and optionally once per idempotency key.
 */

export interface StockedChange {
  inventory_item_id: string
  location_id: string
  /** The delta (adjust) or the new stocked quantity (set). */
  value: number
  /** Set only: write nothing unless the level's stocked quantity is this. */
  expected?: number
}

export interface StockedWrite {
  /** One level per change, in the order of the changes. */
  levels: InventoryLevelDTO[]
  /** Levels whose stocked quantity changed. */
  changed: string[]
}

const COLUMNS = columnList(LEVELS)

/**
 * Adjusts (adds `value`) or sets (to `value`) the stocked quantity of levels in one statement,
 * with a movement per changed level. The levels are locked in id order; nothing is written
 * unless every level exists and every `expected` still holds. Repeated levels of an adjust
 * add up; the facade refuses repeated levels in a set.
 */
export async function writeStocked(ctx: StockContext, mode: "adjust" | "set", changes: StockedChange[]): Promise<StockedWrite> {
  if (!changes.length) return { levels: [], changed: [] }
  const merged = new Map<string, StockedChange>()
  for (const change of changes) {
    const key = levelKey(change.inventory_item_id, change.location_id)
    const earlier = merged.get(key)
    merged.set(key, earlier && mode === "adjust" ? { ...earlier, value: earlier.value + change.value } : change)
  }
  const list = [...merged.values()]
  const params: unknown[] = [
    list.map((c) => c.inventory_item_id),
    list.map((c) => c.location_id),
    list.map((c) => c.value),
    list.map((c) => c.expected ?? null),
  ]
  const target = mode === "set" ? "c.value" : "l.stocked_quantity + c.value"
  const written = await ctx.db.rows<InventoryLevelDTO & { changed: boolean }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS u(inventory_item_id, location_id, value, expected)
     ),
     cur AS (
       SELECT l.id, l.stocked_quantity, i.value, i.expected
         FROM inventory_level l
         JOIN input i ON i.inventory_item_id = l.inventory_item_id AND i.location_id = l.location_id
        WHERE l.deleted_at IS NULL
        ORDER BY l.id
          FOR UPDATE OF l
     ),
     verdict AS (
       SELECT (SELECT count(*) FROM cur) = (SELECT count(*) FROM input)
          AND NOT EXISTS (SELECT 1 FROM cur WHERE expected IS NOT NULL AND expected <> stocked_quantity) AS ok
     ),
     upd AS (
       UPDATE inventory_level l
          SET stocked_quantity = ${target},
              updated_at = CASE WHEN ${target} <> l.stocked_quantity THEN now() ELSE l.updated_at END
         FROM cur c
        WHERE l.id = c.id AND (SELECT ok FROM verdict)
       RETURNING ${columnList(LEVELS, "l")}, c.stocked_quantity AS old_stocked
     ),
     ${movesCte("upd", {
       level_id: "id",
       stocked_delta: "stocked_quantity::bigint - old_stocked",
       reserved_delta: "0",
       stocked_after: "stocked_quantity",
       reserved_after: "reserved_quantity",
       reason: reasonLiteral(mode === "set" ? Reasons.CORRECTION : Reasons.ADJUSTMENT),
       threshold: thresholdOf("upd"),
     })},
     ${ledgerSql(ctx, params)}
     SELECT ${COLUMNS}, stocked_quantity <> old_stocked AS changed, ${ALERTS_COLUMN} FROM upd`,
    params
  )
  const rows = takeAlerts(ctx, written)
  if (rows.length !== list.length) throw await refusal(ctx, changes)
  const byKey = new Map(rows.map((row) => [levelKey(row.inventory_item_id, row.location_id), levelDto(row)]))
  return {
    levels: changes.map((c) => byKey.get(levelKey(c.inventory_item_id, c.location_id))!),
    changed: rows.filter((row) => row.changed).map((row) => row.id),
  }
}

/** Why `writeStocked` wrote nothing: missing levels first (in input order), else stale expectations. */
async function refusal(ctx: StockContext, changes: StockedChange[]): Promise<Error> {
  const levels = await lockLevels(ctx, changes)
  const missing = changes.filter((c) => !levels.has(levelKey(c.inventory_item_id, c.location_id)))
  if (missing.length) return notStockedAt(missing)
  return staleQuantity(
    changes
      .filter((c) => c.expected !== undefined && c.expected !== levels.get(levelKey(c.inventory_item_id, c.location_id))!.stocked_quantity)
      .map((c) => ({
        inventory_item_id: c.inventory_item_id,
        location_id: c.location_id,
        expected_quantity: c.expected!,
        stocked_quantity: levels.get(levelKey(c.inventory_item_id, c.location_id))!.stocked_quantity,
      }))
  )
}

/** JSON with object keys sorted, so that equal requests hash equally. */
function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString())
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`
  }
  return JSON.stringify(value)
}

const DATE_FIELDS = ["created_at", "updated_at", "deleted_at", "received_at"]

/** A stored row with its timestamps as Dates again. */
export function reviveDates<T>(row: T): T {
  const copy: Record<string, unknown> = { ...(row as Record<string, unknown>) }
  for (const field of DATE_FIELDS) {
    if (typeof copy[field] === "string") copy[field] = new Date(copy[field] as string)
  }
  return copy as T
}

/** How a writer's result is kept with its idempotency key, and read back for a repeated call. */
export interface ResultCodec<R> {
  store(result: R): unknown
  revive(stored: unknown): R
}

/** The levels writers' codec: the levels are stored; a replay changed nothing. */
const LEVELS_CODEC: ResultCodec<StockedWrite> = {
  store: (result) => ({ levels: result.levels }),
  revive: (stored) => ({ levels: (stored as { levels: InventoryLevelDTO[] }).levels.map(reviveDates), changed: [] }),
}

/**
 * Runs `write` once per idempotency key. The key is claimed by inserting it in the call's
 * transaction: a concurrent call with the same key waits on that row until the first commits
 * (and then answers its stored result, writing nothing) or rolls back (and then runs itself).
 * The same key with a different request is refused with CONFLICT.
 */
export async function onceWith<R extends { changed: string[] }>(
  ctx: StockContext,
  key: string | undefined,
  request: unknown,
  write: () => Promise<R>,
  codec: ResultCodec<R>
): Promise<R & { replayed: boolean }> {
  if (key === undefined) return { ...(await write()), replayed: false }
  const hash = createHash("sha256").update(canonical(request)).digest("hex")
  const claimed = await ctx.db.rows(
    `INSERT INTO inventory_idempotency_key (key, request_hash) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING key`,
    [key, hash]
  )
  if (!claimed.length) {
    const [prior] = await ctx.db.rows<{ request_hash: string; response: unknown }>(
      `SELECT request_hash, response FROM inventory_idempotency_key WHERE key = $1`,
      [key]
    )
    if (!prior || prior.request_hash !== hash || !prior.response) throw idempotencyKeyReused(key)
    return { ...codec.revive(prior.response), changed: [], replayed: true }
  }
  const result = await write()
  await ctx.db.rows(`UPDATE inventory_idempotency_key SET response = $2::jsonb WHERE key = $1`, [key, JSON.stringify(codec.store(result))])
  return { ...result, replayed: false }
}

/** `onceWith` for the writers of levels (`adjustStockedQuantities`, `setStockedQuantities`, …). */
export async function once(
  ctx: StockContext,
  key: string | undefined,
  request: unknown,
  write: () => Promise<StockedWrite>
): Promise<StockedWrite & { replayed: boolean }> {
  return await onceWith(ctx, key, request, write, LEVELS_CODEC)
}
