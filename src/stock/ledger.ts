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
  SET_ASIDE: "set_aside",
  RETURNED_TO_STOCK: "returned_to_stock",
  DISCARDED: "discarded",
  TRANSFER_OUT: "transfer_out",
  TRANSFER_IN: "transfer_in",
  TRANSFER_IN_TRANSIT: "transfer_in_transit",
  TRANSFER_RECEIVED: "transfer_received",
  TRANSFER_LOSS: "transfer_loss",
  CYCLE_COUNT: "cycle_count",
} as const

/** The states units set aside are held in, and the level column of each. */
export const SET_ASIDE_STATES = ["damaged", "quality_control", "safety_stock"] as const
export type SetAsideState = (typeof SET_ASIDE_STATES)[number]
export const STATE_COLUMNS: Record<SetAsideState, string> = {
  damaged: "damaged_quantity",
  quality_control: "quality_control_quantity",
  safety_stock: "safety_stock_quantity",
}

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

/**
 * The columns of an extended `moves` CTE, after MOVES_COLUMNS: the changes of incoming_quantity
 * and of the units set aside per state, the state a set-aside moved, and the transfer. Only the
 * statements that change those quantities carry them (`movesCte` with any of them given, and
 * `recordCte`/`ledgerCtes` with `extended`); the others, a checkout's among them, keep the
 * narrower statement (and the server function its pinned body).
 */
export const EXTENDED_MOVES_COLUMNS = [
  "incoming_delta",
  "damaged_delta",
  "quality_control_delta",
  "safety_stock_delta",
  "state",
  "transfer_id",
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
export function recordCte(first: number, extended = false): string {
  const [on, prefix, reason, reference, actor, key, metadata] = ["boolean", "text", "text", "text", "text", "text", "jsonb"].map(
    (cast, i) => `$${first + i}::${cast}`
  )
  const extra = extended ? `, ${EXTENDED_MOVES_COLUMNS.join(", ")}` : ""
  const extraValues = extended ? `, ${EXTENDED_MOVES_COLUMNS.map((c) => `m.${c}`).join(", ")}` : ""
  const moved = extended
    ? "m.stocked_delta <> 0 OR m.reserved_delta <> 0 OR m.incoming_delta <> 0 OR m.damaged_delta <> 0 OR m.quality_control_delta <> 0 OR m.safety_stock_delta <> 0"
    : "m.stocked_delta <> 0 OR m.reserved_delta <> 0"
  return `
  recorded AS (
    INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after,
                                    reserved_after, reason, reference, actor, reservation_item_id, idempotency_key, metadata${extra})
    SELECT ${idExpression(prefix, "m.ord")}, m.inventory_item_id, m.location_id, m.stocked_delta, m.reserved_delta,
           m.stocked_after, m.reserved_after, COALESCE(${reason}, m.reason), COALESCE(${reference}, m.reference),
           COALESCE(${actor}, m.actor), m.reservation_item_id, ${key}, ${metadata}${extraValues}
      FROM moves m
     WHERE ${on} AND (${moved})
  )`
}

/** How a statement's ledger CTEs are built (see ledgerCtes). */
export interface LedgerOptions {
  /** The statement's `moves` CTE is extended (EXTENDED_MOVES_COLUMNS): record those columns too. */
  extended?: boolean
  /** The statement moves each level once: each movement is its level's whole change, no grouping. */
  onePerLevel?: boolean
}

/**
 * The CTEs `recorded` (see recordCte) and `alerts` (per level of the statement: available
 * before and after, and its low-stock threshold, when that change crosses one of the alert
 * lines), to follow a `moves` CTE. Their parameters are `$first` … `$first+7`, with the values
 * of `ledgerParams()`. Select `ALERTS_COLUMN` in the statement's result to receive the alerts
 * (otherwise they are not even computed). With `onePerLevel` (the statement moves each level
 * once), each movement is its level's whole change: no grouping.
 */
export function ledgerCtes(first: number, options: LedgerOptions = {}): string {
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
  return `${recordCte(first, options.extended)},
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

/**
 * `ledgerCtes` after the statement's own `params`, whose values it appends to them (`options`:
 * see LedgerOptions).
 */
export function ledgerSql(ctx: StockContext, params: unknown[], note: MovementNote = ctx.note, options: LedgerOptions = {}): string {
  const sql = ledgerCtes(params.length + 1, options)
  params.push(...ledgerParams(ctx, note))
  return sql
}

/** `recordCte` after the statement's own `params`, whose values it appends to them. */
export function recordSql(ctx: StockContext, params: unknown[], note: MovementNote = ctx.note, extended = false): string {
  const sql = recordCte(params.length + 1, extended)
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

export type MoveColumn = (typeof MOVES_COLUMNS)[number] | (typeof EXTENDED_MOVES_COLUMNS)[number]

const MOVE_CASTS: Record<MoveColumn, string> = {
  incoming_delta: "bigint",
  damaged_delta: "bigint",
  quality_control_delta: "bigint",
  safety_stock_delta: "bigint",
  state: "text",
  transfer_id: "text",
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
 * those names, `ord` to the row's position, the deltas of an extended CTE to 0, the rest to
 * NULL. Given any column of EXTENDED_MOVES_COLUMNS, the CTE is extended: record it with
 * `extended` (ledgerSql, recordSql).
 */
export function movesCte(from: string, columns: Pick<Record<MoveColumn, string>, Required> & Partial<Record<MoveColumn, string>>): string {
  const defaults: Partial<Record<MoveColumn, string>> = {
    inventory_item_id: "inventory_item_id",
    location_id: "location_id",
    ord: "row_number() OVER ()",
    incoming_delta: "0",
    damaged_delta: "0",
    quality_control_delta: "0",
    safety_stock_delta: "0",
  }
  const extended = EXTENDED_MOVES_COLUMNS.some((c) => columns[c] !== undefined)
  const names: MoveColumn[] = extended ? [...MOVES_COLUMNS, ...EXTENDED_MOVES_COLUMNS] : [...MOVES_COLUMNS]
  const select = names.map((c) => `(${columns[c] ?? defaults[c] ?? "NULL"})::${MOVE_CASTS[c]} AS ${c}`)
  return `moves AS (SELECT ${select.join(", ")} FROM ${from})`
}

/** The SQL of the level columns moved whole by level deletes and restores, after the stocked and reserved ones. */
const WHOLE_LEVEL_COLUMNS = {
  incoming_delta: "incoming_quantity",
  damaged_delta: "damaged_quantity",
  quality_control_delta: "quality_control_quantity",
  safety_stock_delta: "safety_stock_quantity",
} as const

/** The level columns a statement deleting or restoring levels whole must return, for its moves. */
export const WHOLE_LEVEL_RETURNING = "incoming_quantity, damaged_quantity, quality_control_quantity, safety_stock_quantity"

/**
 * The `moves` of levels (rows of `from` with id, quantities and WHOLE_LEVEL_RETURNING) deleted
 * whole: every quantity to 0. Extended: record with `extended`.
 */
export const levelsDeletedMoves = (from: string) =>
  movesCte(from, {
    level_id: "id",
    stocked_delta: "-(stocked_quantity::bigint)",
    reserved_delta: "-(reserved_quantity::bigint)",
    stocked_after: "0",
    reserved_after: "0",
    reason: reasonLiteral(Reasons.LEVEL_DELETED),
    ...(Object.fromEntries(Object.entries(WHOLE_LEVEL_COLUMNS).map(([delta, column]) => [delta, `-(${column}::bigint)`])) as Record<
      keyof typeof WHOLE_LEVEL_COLUMNS,
      string
    >),
  })

/**
 * The `moves` of levels (rows of `from`, with WHOLE_LEVEL_RETURNING) that appear whole,
 * created or restored: from 0. Extended: record with `extended`.
 */
export const levelsAddedMoves = (from: string, reason: typeof Reasons.LEVEL_CREATED | typeof Reasons.LEVEL_RESTORED) =>
  movesCte(from, {
    level_id: "id",
    stocked_delta: "stocked_quantity",
    reserved_delta: "reserved_quantity",
    stocked_after: "stocked_quantity",
    reserved_after: "reserved_quantity",
    reason: reasonLiteral(reason),
    ...WHOLE_LEVEL_COLUMNS,
  })

/** A reason as an SQL literal (the reasons are constants of this module, never input). */
export const reasonLiteral = (reason: (typeof Reasons)[keyof typeof Reasons]) => `'${reason}'`

/**
 * I6, checked: every (item, location) whose live level's quantities (stocked, reserved,
 * incoming, and the units set aside per state) differ from the sums of its movements (a pair
 * without a live level counts as all 0). The one definition used by
 * `doctor` and the tests. Columns: level_id (NULL without a live level), inventory_item_id,
 * location_id, and per quantity its value and its ledger sum: stocked_quantity/ledger_stocked,
 * reserved_quantity/ledger_reserved, incoming_quantity/ledger_incoming, damaged_quantity/
 * ledger_damaged, quality_control_quantity/ledger_quality_control, safety_stock_quantity/
 * ledger_safety_stock.
 */
export const LEDGER_IMBALANCE_SQL = `
  WITH sums AS (
    SELECT inventory_item_id, location_id, sum(stocked_delta) AS stocked, sum(reserved_delta) AS reserved,
           sum(incoming_delta) AS incoming, sum(damaged_delta) AS damaged, sum(quality_control_delta) AS quality_control,
           sum(safety_stock_delta) AS safety_stock
      FROM inventory_movement GROUP BY 1, 2
  ),
  lv AS (
    SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity, damaged_quantity,
           quality_control_quantity, safety_stock_quantity
      FROM inventory_level WHERE deleted_at IS NULL
  )
  SELECT lv.id AS level_id, inventory_item_id, location_id,
         COALESCE(lv.stocked_quantity, 0) AS stocked_quantity, COALESCE(lv.reserved_quantity, 0) AS reserved_quantity,
         COALESCE(s.stocked, 0)::bigint AS ledger_stocked, COALESCE(s.reserved, 0)::bigint AS ledger_reserved,
         COALESCE(lv.incoming_quantity, 0) AS incoming_quantity, COALESCE(s.incoming, 0)::bigint AS ledger_incoming,
         COALESCE(lv.damaged_quantity, 0) AS damaged_quantity, COALESCE(s.damaged, 0)::bigint AS ledger_damaged,
         COALESCE(lv.quality_control_quantity, 0) AS quality_control_quantity, COALESCE(s.quality_control, 0)::bigint AS ledger_quality_control,
         COALESCE(lv.safety_stock_quantity, 0) AS safety_stock_quantity, COALESCE(s.safety_stock, 0)::bigint AS ledger_safety_stock
    FROM lv FULL JOIN sums s USING (inventory_item_id, location_id)
   WHERE COALESCE(lv.stocked_quantity, 0) <> COALESCE(s.stocked, 0)
      OR COALESCE(lv.reserved_quantity, 0) <> COALESCE(s.reserved, 0)
      OR COALESCE(lv.incoming_quantity, 0) <> COALESCE(s.incoming, 0)
      OR COALESCE(lv.damaged_quantity, 0) <> COALESCE(s.damaged, 0)
      OR COALESCE(lv.quality_control_quantity, 0) <> COALESCE(s.quality_control, 0)
      OR COALESCE(lv.safety_stock_quantity, 0) <> COALESCE(s.safety_stock, 0)
   ORDER BY inventory_item_id, location_id`
