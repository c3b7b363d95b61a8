import { encodeTime, randomChars } from "../utils/ids"
import type { StockContext } from "./context"

/**
 * The stock ledger: every change to a level's stocked or reserved quantity writes one row of
 * `inventory_movement` in the same statement as the change. A writing statement defines a CTE
 * named `moves` with the columns of `MOVES_COLUMNS`; `ledgerSql()` appends the CTEs that
 * insert those rows (unless the ledger is off) and work out the stock alerts of the statement.
 * Invariant I6: for every live level, stocked_quantity = Σ stocked_delta and reserved_quantity
 * = Σ reserved_delta over the movements of its (item, location).
 */

/** Why stock moved. Callers of the ledger methods may give any other text. */
export const Reasons = {
  OPENING: "opening",
  ADJUSTMENT: "adjustment",
  CORRECTION: "correction",
  RESERVATION: "reservation",
  RELEASE: "release",
  EXPIRED: "expired",
  LEVEL_CREATED: "level_created",
  LEVEL_DELETED: "level_deleted",
  LEVEL_RESTORED: "level_restored",
  REPAIR: "repair",
} as const

/** What a caller may say about its change (`adjustStockedQuantities`, `setStockedQuantities`). */
export interface MovementNote {
  reason?: string
  reference?: string
  actor?: string
  idempotency_key?: string
  metadata?: Record<string, unknown>
}

/**
 * The columns of the `moves` CTE a writing statement defines, one row per movement:
 * level_id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after,
 * reserved_after, reason, reference, actor, reservation_item_id, ord (orders the movements of
 * one statement) and threshold (the level's `metadata.low_stock_threshold` as text, or NULL).
 */
export const MOVES_COLUMNS = [
  "level_id",
  "inventory_item_id",
  "location_id",
  "stocked_delta",
  "reserved_delta",
  "stocked_after",
  "reserved_after",
  "reason",
  "reference",
  "actor",
  "reservation_item_id",
  "ord",
  "threshold",
] as const

/** The threshold text of a level row aliased `alias`, for the `moves` CTE. */
export const thresholdOf = (alias: string) => `${alias}.metadata->>'low_stock_threshold'`

/** Hex digits of a movement's `ord` at the end of its id: 268,435,456 movements per statement. */
const ORD_DIGITS = 7

/**
 * An `imov_` ULID per movement without a function call per character: the first 19 characters
 * come from a fresh ULID made for the statement (48 bits of time, 45 of randomness), the last
 * 7 are the movement's `ord` in hexadecimal (hex digits are Crockford base-32 characters, and
 * zero-padded hex sorts as its numbers do), so movements of one statement sort in order.
 */
function idExpression(prefixParam: string, ord: string): string {
  return `${prefixParam} || upper(lpad(to_hex(${ord}), ${ORD_DIGITS}, '0'))`
}

/**
 * The id prefix of one statement's movements: `imov_`, then the first 19 characters of a ULID
 * (10 of milliseconds since the epoch, 9 random: 45 bits).
 */
export function movementIdPrefix(): string {
  return `imov_${encodeTime(Date.now())}${randomChars(26 - 10 - ORD_DIGITS)}`
}

/**
 * The CTE `recorded`: the insert of the `moves` rows, when the ledger is on. Its parameters are
 * `$first` … `$first+6`, the first seven values of `ledgerParams()`.
 */
export function recordCte(first: number): string {
  const [on, prefix, reason, reference, actor, key, metadata] = ["boolean", "text", "text", "text", "text", "text", "jsonb"].map(
    (cast, i) => `$${first + i}::${cast}`
  )
  return `
  recorded AS (
    INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after,
                                    reserved_after, reason, reference, actor, reservation_item_id, idempotency_key, metadata)
    SELECT ${idExpression(prefix, "m.ord")}, m.inventory_item_id, m.location_id, m.stocked_delta, m.reserved_delta,
           m.stocked_after, m.reserved_after, COALESCE(${reason}, m.reason), COALESCE(${reference}, m.reference),
           COALESCE(${actor}, m.actor), m.reservation_item_id, ${key}, ${metadata}
      FROM moves m
     WHERE ${on} AND (m.stocked_delta <> 0 OR m.reserved_delta <> 0)
  )`
}

/**
 * The CTEs `recorded` (see recordCte) and `alerts` (per level of the statement: available
 * before and after, and its low-stock threshold, when that change crosses one of the alert
 * lines), to follow a `moves` CTE. Their parameters are `$first` … `$first+7`, with the values
 * of `ledgerParams()`. Select `ALERTS_COLUMN` in the statement's result to receive the alerts
 * (otherwise they are not even computed). With `onePerLevel` (the statement moves each level
 * once), each movement is its level's whole change: no grouping.
 */
export function ledgerCtes(first: number, options: { onePerLevel?: boolean } = {}): string {
  const threshold = `$${first + 7}::int`
  const perLevel = options.onePerLevel
    ? `per_level AS (
    SELECT level_id, inventory_item_id, location_id, stocked_after::bigint - reserved_after AS after,
           stocked_delta - reserved_delta AS change,
           COALESCE(CASE WHEN threshold ~ '^[0-9]{1,9}$' THEN threshold::int END, ${threshold}) AS threshold
      FROM moves
  )`
    : `per_level AS (
    SELECT level_id, inventory_item_id, location_id,
           (array_agg(stocked_after::bigint - reserved_after ORDER BY ord DESC))[1] AS after,
           sum(stocked_delta - reserved_delta) AS change,
           COALESCE(CASE WHEN max(threshold) ~ '^[0-9]{1,9}$' THEN max(threshold)::int END, ${threshold}) AS threshold
      FROM moves
     GROUP BY level_id, inventory_item_id, location_id
  )`
  return `${recordCte(first)},
  ${perLevel},
  alerts AS (
    SELECT level_id AS id, inventory_item_id, location_id, after - change AS before, after, threshold
      FROM per_level
     WHERE change <> 0
       AND ((after - change > 0) <> (after > 0) OR (threshold IS NOT NULL AND after - change >= threshold AND after < threshold))
  )`
}

/**
 * A single level's change, judged in JavaScript (the statements that change one level return
 * its quantities and skip the `alerts` CTEs, which cost planning time on every call).
 */
export function noteCrossing(
  ctx: StockContext,
  level: { id: string; inventory_item_id: string; location_id: string },
  before: number,
  after: number,
  thresholdText: string | null
): void {
  const own = thresholdText !== null && /^[0-9]{1,9}$/.test(thresholdText) ? Number(thresholdText) : undefined
  const threshold = own ?? ctx.lowStockThreshold ?? null
  const crossed = before > 0 !== after > 0 || (threshold !== null && before >= threshold && after < threshold)
  if (before !== after && crossed) ctx.alerts.push({ ...level, before, after, threshold })
}

/** The values of `ledgerCtes`' parameters for one statement of the call. */
export function ledgerParams(ctx: StockContext, note: MovementNote = ctx.note): unknown[] {
  return [...recordParams(ctx.ledger, note), ctx.lowStockThreshold ?? null]
}

/** The values of `recordCte`'s parameters: whether to record, and the caller's note. */
export function recordParams(on: boolean, note: MovementNote = {}): unknown[] {
  return [
    on,
    movementIdPrefix(),
    note.reason ?? null,
    note.reference ?? null,
    note.actor ?? null,
    note.idempotency_key ?? null,
    note.metadata === undefined ? null : JSON.stringify(note.metadata),
  ]
}

/** `ledgerCtes` after the statement's own `params`, whose values it appends to them. */
export function ledgerSql(ctx: StockContext, params: unknown[], note: MovementNote = ctx.note, options: { onePerLevel?: boolean } = {}): string {
  const sql = ledgerCtes(params.length + 1, options)
  params.push(...ledgerParams(ctx, note))
  return sql
}

/** `recordCte` after the statement's own `params`, whose values it appends to them. */
export function recordSql(ctx: StockContext, params: unknown[], note: MovementNote = ctx.note): string {
  const sql = recordCte(params.length + 1)
  params.push(...recordParams(ctx.ledger, note))
  return sql
}

/** The column that carries a statement's alerts (NULL when there are none). */
export const ALERTS_COLUMN = `(SELECT json_agg(a) FROM alerts a) AS _alerts`

export interface StockAlert {
  id: string
  inventory_item_id: string
  location_id: string
  before: number
  after: number
  threshold: number | null
}

/**
 * Takes the `_alerts` column off a statement's rows, noting the alerts on the call's context
 * (the facade turns them into events), and returns the rows without it.
 */
export function takeAlerts<T>(ctx: StockContext, rows: (T & { _alerts?: StockAlert[] | null })[]): T[]
export function takeAlerts<T>(ctx: StockContext, rows: (T & { _alerts?: StockAlert[] | null })[], strip: false): void
export function takeAlerts<T>(ctx: StockContext, rows: (T & { _alerts?: StockAlert[] | null })[], strip = true): T[] | void {
  const alerts = rows[0]?._alerts
  if (alerts) ctx.alerts.push(...alerts)
  // strip: false, for a caller that copies the rows' columns itself.
  if (strip) return rows.map(({ _alerts, ...row }) => row as T)
}

export type MoveColumn = (typeof MOVES_COLUMNS)[number]

const MOVE_CASTS: Record<MoveColumn, string> = {
  level_id: "text",
  inventory_item_id: "text",
  location_id: "text",
  stocked_delta: "bigint",
  reserved_delta: "bigint",
  stocked_after: "int",
  reserved_after: "int",
  reason: "text",
  reference: "text",
  actor: "text",
  reservation_item_id: "text",
  ord: "bigint",
  threshold: "text",
}

type Required = "level_id" | "stocked_delta" | "reserved_delta" | "stocked_after" | "reserved_after" | "reason"

/**
 * The `moves` CTE over the rows of `from` (a CTE or a FROM clause): each column an SQL
 * expression over those rows. `inventory_item_id` and `location_id` default to the columns of
 * those names, `ord` to the row's position, the rest to NULL.
 */
export function movesCte(from: string, columns: Pick<Record<MoveColumn, string>, Required> & Partial<Record<MoveColumn, string>>): string {
  const defaults: Partial<Record<MoveColumn, string>> = {
    inventory_item_id: "inventory_item_id",
    location_id: "location_id",
    ord: "row_number() OVER ()",
  }
  const select = MOVES_COLUMNS.map((c) => `(${columns[c] ?? defaults[c] ?? "NULL"})::${MOVE_CASTS[c]} AS ${c}`)
  return `moves AS (SELECT ${select.join(", ")} FROM ${from})`
}

/** The `moves` of levels (rows of `from` with id and quantities) deleted whole: to 0 and 0. */
export const levelsDeletedMoves = (from: string) =>
  movesCte(from, {
    level_id: "id",
    stocked_delta: "-(stocked_quantity::bigint)",
    reserved_delta: "-(reserved_quantity::bigint)",
    stocked_after: "0",
    reserved_after: "0",
    reason: reasonLiteral(Reasons.LEVEL_DELETED),
  })

/** The `moves` of levels (rows of `from`) that appear whole, created or restored: from 0 and 0. */
export const levelsAddedMoves = (from: string, reason: typeof Reasons.LEVEL_CREATED | typeof Reasons.LEVEL_RESTORED) =>
  movesCte(from, {
    level_id: "id",
    stocked_delta: "stocked_quantity",
    reserved_delta: "reserved_quantity",
    stocked_after: "stocked_quantity",
    reserved_after: "reserved_quantity",
    reason: reasonLiteral(reason),
  })

/** A reason as an SQL literal (the reasons are constants of this module, never input). */
export const reasonLiteral = (reason: (typeof Reasons)[keyof typeof Reasons]) => `'${reason}'`

/**
 * I6, checked: every (item, location) whose live level's quantities differ from the sums of
 * its movements (a pair without a live level counts as 0 and 0). The one definition used by
 * `doctor` and the tests. Columns: level_id (NULL without a live level), inventory_item_id,
 * location_id, stocked_quantity, reserved_quantity, ledger_stocked, ledger_reserved.
 */
export const LEDGER_IMBALANCE_SQL = `
  WITH sums AS (
    SELECT inventory_item_id, location_id, sum(stocked_delta) AS stocked, sum(reserved_delta) AS reserved
      FROM inventory_movement GROUP BY 1, 2
  ),
  lv AS (
    SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity FROM inventory_level WHERE deleted_at IS NULL
  )
  SELECT lv.id AS level_id, inventory_item_id, location_id,
         COALESCE(lv.stocked_quantity, 0) AS stocked_quantity, COALESCE(lv.reserved_quantity, 0) AS reserved_quantity,
         COALESCE(s.stocked, 0)::bigint AS ledger_stocked, COALESCE(s.reserved, 0)::bigint AS ledger_reserved
    FROM lv FULL JOIN sums s USING (inventory_item_id, location_id)
   WHERE COALESCE(lv.stocked_quantity, 0) <> COALESCE(s.stocked, 0)
      OR COALESCE(lv.reserved_quantity, 0) <> COALESCE(s.reserved, 0)
   ORDER BY inventory_item_id, location_id`
