import type { ReservationItemDTO } from "@medusajs/types"
import type { ListSpec } from "../db/list-query"
import { runnable, ServerFunction } from "../db/server-functions"
import { insufficientStock, notStockedAt, reservationNotFound } from "../utils/errors"
import { inIdOrder, newId, newIds } from "../utils/ids"
import { whereEnough } from "./allocation"
import type { StockContext } from "./context"
import {
  ALERTS_COLUMN,
  ledgerCtes,
  ledgerParams,
  ledgerSql,
  movesCte,
  noteCrossing,
  Reasons,
  reasonLiteral,
  takeAlerts,
  thresholdOf,
} from "./ledger"
import { APPLY_RESERVED_DELTAS, LevelKey, LevelQuantities, levelKey, lockLevels, lockReservation } from "./locking"
import { castOf, columnList, jsonParam, RESERVATIONS, ReservationInput, ReservationUpdate, rowValues, unnestRows } from "./tables"

/** Reservations: reserve, release, move and re-size, each adjusting its levels' reserved quantity. */

export const RESERVATION_LIST: ListSpec = RESERVATIONS

const COLUMNS = columnList(RESERVATIONS)

/**
 * Per (item, location) of the CTE named `scope` (columns inventory_item_id, location_id): the
 * sum of live reservations, as the CTEs `live` and `sums` (columns inventory_item_id,
 * location_id, quantity). The one definition of "reserved by live reservations", used by the
 * recount of re-created levels, by `doctor` and by the tests' drift checks. With `lock`, the
 * reservations are share-locked: one being deleted right now is either counted and then
 * released by its delete, or waited for and not counted.
 */
export function liveReservationSums(scope: string, options: { lock?: boolean } = {}): string {
  return `live AS (
    SELECT r.inventory_item_id, r.location_id, r.quantity
      FROM reservation_item r
      JOIN ${scope} s ON s.inventory_item_id = r.inventory_item_id AND s.location_id = r.location_id
     WHERE r.deleted_at IS NULL
     ${options.lock ? "FOR SHARE OF r" : ""}
  ),
  sums AS (
    SELECT inventory_item_id, location_id, sum(quantity)::int AS quantity FROM live GROUP BY 1, 2
  )`
}

/** The empty input of `unnestRows`, for the column order and casts of a reservation insert. */
const INPUT = unnestRows(RESERVATIONS, [], [])

/** The parameter after the input columns: `strictReservations`. */
const STRICT = `$${INPUT.columns.length + 1}::boolean`

/**
 * Creates reservations and raises their levels' reserved quantity in one statement, with a
 * `reservation` movement each. It locks the levels (in id order), checks that each exists and,
 * with `strictReservations`, that it has the stock, and writes only if every check passes:
 * otherwise it inserts nothing.
 */
const RESERVE_SQL = `
  WITH input AS (SELECT * FROM ${INPUT.sql}),
  demand AS (
    SELECT inventory_item_id, location_id, sum(quantity)::int AS quantity FROM input GROUP BY 1, 2
  ),
  levels AS (
    SELECT l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity,
           l.stocked_quantity - l.reserved_quantity AS available, d.quantity AS wanted, ${thresholdOf("l")} AS threshold
      FROM inventory_level l
      JOIN demand d ON d.inventory_item_id = l.inventory_item_id AND d.location_id = l.location_id
     WHERE l.deleted_at IS NULL
     ORDER BY l.id
       FOR UPDATE OF l
  ),
  verdict AS (
    SELECT (SELECT count(*) FROM levels) = (SELECT count(*) FROM demand)
       AND (NOT ${STRICT} OR NOT EXISTS (SELECT 1 FROM levels WHERE available < wanted)) AS ok
  ),
  adjusted AS (
    UPDATE inventory_level l
       SET reserved_quantity = l.reserved_quantity + lv.wanted, updated_at = now()
      FROM levels lv
     WHERE l.id = lv.id AND (SELECT ok FROM verdict)
    RETURNING l.id
  ),
  ins AS (
    INSERT INTO reservation_item (${INPUT.columns.join(", ")})
    SELECT ${INPUT.columns.join(", ")} FROM input WHERE (SELECT ok FROM verdict)
    RETURNING ${COLUMNS}
  ),
  ${movesCte("ins r JOIN levels lv ON lv.inventory_item_id = r.inventory_item_id AND lv.location_id = r.location_id", {
    level_id: "lv.id",
    inventory_item_id: "r.inventory_item_id",
    location_id: "r.location_id",
    stocked_delta: "0",
    reserved_delta: "r.quantity",
    stocked_after: "lv.stocked_quantity",
    reserved_after: "lv.reserved_quantity + sum(r.quantity) OVER (PARTITION BY lv.id ORDER BY r.id)",
    reason: reasonLiteral(Reasons.RESERVATION),
    reference: "r.line_item_id",
    actor: "r.created_by",
    reservation_item_id: "r.id",
    ord: "row_number() OVER (ORDER BY r.id)",
    threshold: "lv.threshold",
  })},
  ${ledgerCtes(INPUT.columns.length + 2)}
  SELECT ${COLUMNS}, ${ALERTS_COLUMN} FROM ins`

/** `$n::cast` of a reservation column in the single-row form of the input. */
const one = (column: string) => `$${INPUT.columns.indexOf(column) + 1}::${castOf(RESERVATIONS, column)}`

/** The parameter after `STRICT`: the reservation's movement id (NULL with the ledger off). */
const MOVEMENT_ID = `$${INPUT.columns.length + 2}::text`

/**
 * RESERVE_SQL for a single reservation: the level's increment is guarded in its own WHERE
 * (re-checked on the latest row version when another transaction changed it meanwhile), and
 * the reservation and its movement are inserted only if the level was incremented. Its one
 * movement is written straight from the two rows (its id made by the caller), without the
 * `moves` CTE of the bulk statements: a checkout's statement stays small.
 */
const RESERVE_ONE_SQL = `
  WITH adjusted AS (
    UPDATE inventory_level
       SET reserved_quantity = reserved_quantity + ${one("quantity")}, updated_at = now()
     WHERE inventory_item_id = ${one("inventory_item_id")} AND location_id = ${one("location_id")} AND deleted_at IS NULL
       AND (NOT ${STRICT} OR stocked_quantity - reserved_quantity >= ${one("quantity")})
    RETURNING id, stocked_quantity, reserved_quantity, ${thresholdOf("inventory_level")} AS threshold
  ),
  ins AS (
    INSERT INTO reservation_item (${INPUT.columns.join(", ")})
    SELECT ${INPUT.columns.map(one).join(", ")} FROM adjusted
    RETURNING ${COLUMNS}
  ),
  recorded AS (
    INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after,
                                    reserved_after, reason, reference, actor, reservation_item_id)
    SELECT ${MOVEMENT_ID}, r.inventory_item_id, r.location_id, 0, r.quantity, a.stocked_quantity, a.reserved_quantity,
           ${reasonLiteral(Reasons.RESERVATION)}, r.line_item_id, r.created_by, r.id
      FROM ins r CROSS JOIN adjusted a
     WHERE ${MOVEMENT_ID} IS NOT NULL
  )
  SELECT ${columnList(RESERVATIONS, "r")}, a.id AS _level_id, a.stocked_quantity AS _stocked, a.reserved_quantity AS _reserved,
         a.threshold AS _threshold
    FROM ins r CROSS JOIN adjusted a`

/** RESERVE_ONE_SQL as a server function (see db/server-functions): planned once per connection. */
export const RESERVE_ONE_FUNCTION: ServerFunction = {
  name: "inventory_reserve_one_v2",
  sql: RESERVE_ONE_SQL,
  returns: [
    ...Object.entries(RESERVATIONS.columns).map(([column, spec]) => [column, spec.cast] as const),
    ["_level_id", "varchar"],
    ["_stocked", "int"],
    ["_reserved", "int"],
    ["_threshold", "text"],
  ],
}

const RESERVE_ONE_CALL = runnable(RESERVE_ONE_FUNCTION)

/**
 * A reservation as callers see it: `expires_at` (this module's own column) only when it is
 * set, so that a reservation without expiry has exactly the official module's shape.
 */
export function publicReservation<T extends object>(row: T): T {
  const { expires_at, ...rest } = row as T & { expires_at?: Date | null }
  return (expires_at === null || expires_at === undefined ? rest : row) as T
}

/** The level columns RESERVE_ONE_SQL returns beside the reservation, for its alert. */
interface SingleLevel {
  _level_id: string
  _stocked: number
  _reserved: number
  _threshold: string | null
}

/**
 * Inserts reservations with `ids` and raises their levels' reserved quantity, in one
 * statement (a single reservation: a guarded increment), all or nothing: every level must
 * exist and, with `guard`, have the stock. What was inserted: none, when refused.
 */
async function insertReservations(ctx: StockContext, rows: ReservationInput[], ids: string[], guard: boolean): Promise<ReservationItemDTO[]> {
  if (rows.length > 1) {
    const { params } = unnestRows(RESERVATIONS, ids, rows)
    return takeAlerts(ctx, await ctx.db.rows<ReservationItemDTO>(RESERVE_SQL, [...params, guard, ...ledgerParams(ctx)], "mit_reserve"))
  }
  // A reservation's movement carries no caller's note: its reason, reference and actor are the reservation's.
  const movement = ctx.ledger ? newId("imov") : null
  const written = await ctx.db.call<ReservationItemDTO & SingleLevel>(
    RESERVE_ONE_CALL,
    [...rowValues(RESERVATIONS, ids[0], rows[0]), guard, movement],
    "mit_reserve_one"
  )
  return written.map(({ _level_id, _stocked, _reserved, _threshold, ...reservation }) => {
    const after = _stocked - _reserved
    const level = { id: _level_id, inventory_item_id: reservation.inventory_item_id, location_id: reservation.location_id }
    noteCrossing(ctx, level, after + reservation.quantity, after, _threshold)
    return reservation as ReservationItemDTO
  })
}

/**
 * The reservations, made only if every level has the stock for them (whatever
 * `strictReservations` says); undefined, with nothing written, otherwise. Allocation tries a
 * location with it (allocation.ts).
 */
export async function reserveIfAvailable(ctx: StockContext, rows: ReservationInput[]): Promise<ReservationItemDTO[] | undefined> {
  const ids = newIds("resitem", rows.length)
  const inserted = await insertReservations(ctx, rows, ids, true)
  return inserted.length === rows.length ? inIdOrder(ids, inserted).map(publicReservation) : undefined
}

/**
 * Creates reservations and raises the reserved quantity of their levels in one statement
 * (a checkout's single reservation: a guarded increment). On refusal nothing is written and
 * the levels are read to say why: missing levels first, then missing stock.
 */
export async function reserve(ctx: StockContext, rows: ReservationInput[]): Promise<ReservationItemDTO[]> {
  if (!rows.length) return []
  const ids = newIds("resitem", rows.length)
  const inserted = await insertReservations(ctx, rows, ids, ctx.strict)
  if (inserted.length === rows.length) return inIdOrder(ids, inserted).map(publicReservation)
  const levels = await ctx.db.rows<LevelQuantities & { wanted: number }>(
    `WITH demand AS (
       SELECT inventory_item_id, location_id, sum(quantity)::int AS wanted
         FROM unnest($1::text[], $2::text[], $3::int[]) AS u(inventory_item_id, location_id, quantity) GROUP BY 1, 2)
     SELECT l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, d.wanted
       FROM inventory_level l JOIN demand d USING (inventory_item_id, location_id)
      WHERE l.deleted_at IS NULL`,
    [rows.map((r) => r.inventory_item_id), rows.map((r) => r.location_id), rows.map((r) => r.quantity)]
  )
  throw await refusal(ctx, rows, levels)
}

/**
 * Missing levels (one clause per failing input, in order), else the short levels (in order of
 * their first input). Under an allocation strategy, each short level says where the
 * reservation was available instead (allocation.ts, whereEnough).
 */
async function refusal(ctx: StockContext, rows: ReservationInput[], levels: (LevelQuantities & { wanted: number })[]): Promise<Error> {
  const seen = new Map(levels.map((l) => [levelKey(l.inventory_item_id, l.location_id), l]))
  const missing = rows.filter((r) => !seen.has(levelKey(r.inventory_item_id, r.location_id)))
  if (missing.length) return notStockedAt(missing)
  const firstInput = new Map<string, number>()
  rows.forEach((r, i) => {
    const key = levelKey(r.inventory_item_id, r.location_id)
    if (!firstInput.has(key)) firstInput.set(key, i)
  })
  const position = (l: LevelKey) => firstInput.get(levelKey(l.inventory_item_id, l.location_id)) ?? 0
  const short = levels
    .filter((l) => l.stocked_quantity - l.reserved_quantity < l.wanted)
    .sort((a, b) => position(a) - position(b))
    .map((l) => ({
      inventory_item_id: l.inventory_item_id,
      location_id: l.location_id,
      available: l.stocked_quantity - l.reserved_quantity,
      requested: l.wanted,
    }))
  if (ctx.allocation.kind === "as-listed" || !short.length) return insufficientStock(short)
  const enough = await whereEnough(ctx, rows)
  return insufficientStock(short.map((l) => ({ ...l, enough_at: enough.get(levelKey(l.inventory_item_id, l.location_id)) ?? [] })))
}

export async function findReservation(ctx: StockContext, id: string): Promise<ReservationItemDTO> {
  const [reservation] = await ctx.read.rows<ReservationItemDTO>(
    `SELECT ${COLUMNS} FROM reservation_item WHERE id = $1 AND deleted_at IS NULL`,
    [id],
    "mit_retrieve_reservation"
  )
  if (!reservation) throw reservationNotFound(id)
  return publicReservation(reservation)
}

/**
 * Changes a reservation's quantity, location, description or metadata. The reservation is
 * locked first; a new quantity or location moves the difference between the levels (both
 * locked in id order), checked against stock with `strictReservations`.
 */
export async function updateReservation(ctx: StockContext, id: string, data: ReservationUpdate): Promise<ReservationItemDTO> {
  const current = await lockReservation<ReservationItemDTO>(ctx, id, COLUMNS)
  if (!current) throw reservationNotFound(id)
  const quantity = data.quantity ?? current.quantity
  const locationId = data.location_id ?? current.location_id
  const moved = locationId !== current.location_id

  const deltas = new Map<string, number>()
  if (moved || quantity !== current.quantity) {
    const item = current.inventory_item_id
    const levels = await lockLevels(ctx, [
      { inventory_item_id: item, location_id: current.location_id },
      { inventory_item_id: item, location_id: locationId },
    ])
    const from = levels.get(levelKey(item, current.location_id))
    const to = levels.get(levelKey(item, locationId))
    if (!to) throw notStockedAt([{ inventory_item_id: item, location_id: locationId }])
    if (from) deltas.set(from.id, -current.quantity)
    deltas.set(to.id, (deltas.get(to.id) ?? 0) + quantity)
    const increase = deltas.get(to.id) ?? 0
    if (ctx.strict && increase > 0 && to.stocked_quantity - to.reserved_quantity < increase) {
      throw insufficientStock(
        [{ inventory_item_id: item, location_id: locationId, available: to.stocked_quantity - to.reserved_quantity, requested: increase }],
        true
      )
    }
  }

  const sets = ["quantity = $2::int", "location_id = $3::text"]
  const params: unknown[] = [id, quantity, locationId, [...deltas.keys()], [...deltas.values()]]
  if (data.description !== undefined) {
    params.push(data.description)
    sets.push(`description = $${params.length}::varchar`)
  }
  if (data.metadata !== undefined) {
    params.push(jsonParam(data.metadata))
    sets.push(`metadata = $${params.length}::jsonb`)
  }
  if (data.expires_at !== undefined) {
    params.push(data.expires_at)
    sets.push(`expires_at = $${params.length}::timestamptz`)
  }
  const statement = `WITH deltas AS (SELECT * FROM unnest($4::text[], $5::int[]) AS d(level_id, delta)),
     ${APPLY_RESERVED_DELTAS},
     upd AS (
       UPDATE reservation_item SET ${sets.join(", ")}, updated_at = now()
        WHERE id = $1
        RETURNING ${COLUMNS}
     ),
     ${movesCte("adjusted a CROSS JOIN upd r", {
       level_id: "a.id",
       inventory_item_id: "a.inventory_item_id",
       location_id: "a.location_id",
       stocked_delta: "0",
       reserved_delta: "a.delta",
       stocked_after: "a.stocked_quantity",
       reserved_after: "a.reserved_quantity",
       reason: `CASE WHEN a.delta > 0 THEN ${reasonLiteral(Reasons.RESERVATION)} ELSE ${reasonLiteral(Reasons.RELEASE)} END`,
       reference: "r.line_item_id",
       reservation_item_id: "r.id",
       ord: "row_number() OVER (ORDER BY a.delta)",
       threshold: "a.threshold",
     })},
     ${ledgerSql(ctx, params)}
     SELECT ${COLUMNS}, ${ALERTS_COLUMN} FROM upd`
  const [updated] = takeAlerts(ctx, await ctx.db.rows<ReservationItemDTO>(statement, params))
  return publicReservation(updated)
}

/** Which reservations a release deletes: by their ids, their line items or their locations, or those expired. */
export interface ReleaseTarget {
  by: "id" | "line_item_id" | "location_id" | "expired"
  ids: string[]
}

const RELEASE_FILTERS: Record<ReleaseTarget["by"], string> = {
  id: "id = ANY($1::text[])",
  line_item_id: "line_item_id = ANY($1::text[])",
  location_id: "location_id = ANY($1::text[])",
  // $1 is unused here but must have a type.
  expired: "expires_at <= now() AND $1::text[] IS NOT NULL",
}

interface Released {
  id: string
  inventory_item_id: string
  location_id: string
  quantity: number
  line_item_id: string | null
}

/**
 * Soft-deletes the live reservations of `target` and releases their quantities from their
 * live levels, with a movement per reservation (reason `release`, or `expired` for the
 * sweeper); the ids of the reservations deleted. A reservation deleted by two calls at once
 * is released once: the second waits on its row lock and then finds it deleted. The release
 * is a statement of its own, so it sees a level that was (re-)created, and counted the
 * reservation, meanwhile.
 */
export async function release(
  ctx: StockContext,
  target: ReleaseTarget,
  reason: typeof Reasons.RELEASE | typeof Reasons.EXPIRED = Reasons.RELEASE
): Promise<string[]> {
  const removed = await ctx.db.rows<Released>(
    `WITH doomed AS (
       SELECT id FROM reservation_item WHERE ${RELEASE_FILTERS[target.by]} AND deleted_at IS NULL
        ORDER BY id FOR UPDATE
     )
     UPDATE reservation_item SET deleted_at = now()
      WHERE id IN (SELECT id FROM doomed) AND deleted_at IS NULL
     RETURNING id, inventory_item_id, location_id, quantity, line_item_id`,
    [target.ids]
  )
  if (!removed.length) return []
  const params: unknown[] = [
    removed.map((r) => r.id),
    removed.map((r) => r.inventory_item_id),
    removed.map((r) => r.location_id),
    removed.map((r) => r.quantity),
    removed.map((r) => r.line_item_id),
  ]
  const statement = `WITH res AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::text[])
         AS r(id, inventory_item_id, location_id, quantity, line_item_id)
     ),
     deltas AS (
       SELECT l.id AS level_id, -sum(r.quantity)::int AS delta
         FROM res r
         JOIN inventory_level l ON l.inventory_item_id = r.inventory_item_id AND l.location_id = r.location_id
        WHERE l.deleted_at IS NULL
        GROUP BY l.id
     ),
     ${APPLY_RESERVED_DELTAS},
     ${movesCte("res r JOIN adjusted a ON a.inventory_item_id = r.inventory_item_id AND a.location_id = r.location_id", {
       level_id: "a.id",
       inventory_item_id: "r.inventory_item_id",
       location_id: "r.location_id",
       stocked_delta: "0",
       reserved_delta: "-r.quantity",
       stocked_after: "a.stocked_quantity",
       // The level's quantity before the release, less this and the earlier reservations of it.
       reserved_after: "a.reserved_quantity - a.delta - sum(r.quantity) OVER (PARTITION BY a.id ORDER BY r.id)",
       reason: reasonLiteral(reason),
       reference: "r.line_item_id",
       reservation_item_id: "r.id",
       ord: "row_number() OVER (ORDER BY r.id)",
       threshold: "a.threshold",
     })},
     ${ledgerSql(ctx, params)}
     SELECT count(*) AS adjusted, ${ALERTS_COLUMN} FROM adjusted`
  takeAlerts(ctx, await ctx.db.rows(statement, params))
  return removed.map((r) => r.id)
}
