import type { ReservationItemDTO } from "@medusajs/types"
import type { ListSpec } from "../db/list-query"
import { insufficientStock, notStockedAt, reservationNotFound } from "../utils/errors"
import { newIds } from "../utils/ids"
import type { StockContext } from "./context"
import { APPLY_RESERVED_DELTAS, LevelKey, LevelQuantities, levelKey, lockLevels, lockReservation } from "./locking"
import { castOf, columnList, jsonParam, RESERVATIONS, ReservationInput, ReservationUpdate, unnestRows } from "./tables"

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

/**
 * Creates reservations and raises their levels' reserved quantity in one statement. It locks
 * the levels (in id order), checks that each exists and, with `strictReservations` (the last
 * parameter), that it has the stock, and writes only if every check passes: otherwise it
 * inserts nothing.
 */
const RESERVE_SQL = `
  WITH input AS (SELECT * FROM ${INPUT.sql}),
  demand AS (
    SELECT inventory_item_id, location_id, sum(quantity)::int AS quantity FROM input GROUP BY 1, 2
  ),
  levels AS (
    SELECT l.id, l.stocked_quantity - l.reserved_quantity AS available, d.quantity AS wanted
      FROM inventory_level l
      JOIN demand d ON d.inventory_item_id = l.inventory_item_id AND d.location_id = l.location_id
     WHERE l.deleted_at IS NULL
     ORDER BY l.id
       FOR UPDATE OF l
  ),
  verdict AS (
    SELECT (SELECT count(*) FROM levels) = (SELECT count(*) FROM demand)
       AND (NOT $${INPUT.columns.length + 1}::boolean OR NOT EXISTS (SELECT 1 FROM levels WHERE available < wanted)) AS ok
  ),
  adjusted AS (
    UPDATE inventory_level l
       SET reserved_quantity = l.reserved_quantity + lv.wanted, updated_at = now()
      FROM levels lv
     WHERE l.id = lv.id AND (SELECT ok FROM verdict)
    RETURNING l.id
  )
  INSERT INTO reservation_item (${INPUT.columns.join(", ")})
  SELECT ${INPUT.columns.join(", ")} FROM input WHERE (SELECT ok FROM verdict)
  RETURNING ${COLUMNS}`

/** `$n::cast` of a reservation column in the single-row form of the input. */
const one = (column: string) => `$${INPUT.columns.indexOf(column) + 1}::${castOf(RESERVATIONS, column)}`

/**
 * RESERVE_SQL for a single reservation: the level's increment is guarded in its own WHERE
 * (re-checked on the latest row version when another transaction changed it meanwhile), and
 * the reservation is inserted only if the level was incremented.
 */
const RESERVE_ONE_SQL = `
  WITH adjusted AS (
    UPDATE inventory_level
       SET reserved_quantity = reserved_quantity + ${one("quantity")}, updated_at = now()
     WHERE inventory_item_id = ${one("inventory_item_id")} AND location_id = ${one("location_id")} AND deleted_at IS NULL
       AND (NOT $${INPUT.columns.length + 1}::boolean OR stocked_quantity - reserved_quantity >= ${one("quantity")})
    RETURNING id
  )
  INSERT INTO reservation_item (${INPUT.columns.join(", ")})
  SELECT ${INPUT.columns.map(one).join(", ")} FROM adjusted
  RETURNING ${COLUMNS}`

function inOrder<T extends { id: string }>(ids: string[], rows: T[]): T[] {
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => byId.get(id)!)
}

/**
 * Creates reservations and raises the reserved quantity of their levels in one statement
 * (a checkout's single reservation: a guarded increment). On refusal nothing is written and
 * the levels are read to say why: missing levels first, then missing stock.
 */
export async function reserve(ctx: StockContext, rows: ReservationInput[]): Promise<ReservationItemDTO[]> {
  if (!rows.length) return []
  const ids = newIds("resitem", rows.length)
  const { params } = unnestRows(RESERVATIONS, ids, rows)
  const inserted =
    rows.length === 1
      ? await ctx.db.rows<ReservationItemDTO>(RESERVE_ONE_SQL, [...params.map((column) => (column as unknown[])[0]), ctx.strict], "mit_reserve_one")
      : await ctx.db.rows<ReservationItemDTO>(RESERVE_SQL, [...params, ctx.strict], "mit_reserve")
  if (inserted.length === rows.length) return inOrder(ids, inserted)
  const levels = await ctx.db.rows<LevelQuantities & { wanted: number }>(
    `WITH demand AS (
       SELECT inventory_item_id, location_id, sum(quantity)::int AS wanted
         FROM unnest($1::text[], $2::text[], $3::int[]) AS u(inventory_item_id, location_id, quantity) GROUP BY 1, 2)
     SELECT l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, d.wanted
       FROM inventory_level l JOIN demand d USING (inventory_item_id, location_id)
      WHERE l.deleted_at IS NULL`,
    [rows.map((r) => r.inventory_item_id), rows.map((r) => r.location_id), rows.map((r) => r.quantity)]
  )
  throw refusal(rows, levels)
}

/** Missing levels (one clause per failing input, in order), else the short levels (in order of their first input). */
function refusal(rows: LevelKey[], levels: (LevelQuantities & { wanted: number })[]): Error {
  const seen = new Map(levels.map((l) => [levelKey(l.inventory_item_id, l.location_id), l]))
  const missing = rows.filter((r) => !seen.has(levelKey(r.inventory_item_id, r.location_id)))
  if (missing.length) return notStockedAt(missing)
  const firstInput = new Map<string, number>()
  rows.forEach((r, i) => {
    const key = levelKey(r.inventory_item_id, r.location_id)
    if (!firstInput.has(key)) firstInput.set(key, i)
  })
  const position = (l: LevelKey) => firstInput.get(levelKey(l.inventory_item_id, l.location_id)) ?? 0
  return insufficientStock(
    levels
      .filter((l) => l.stocked_quantity - l.reserved_quantity < l.wanted)
      .sort((a, b) => position(a) - position(b))
      .map((l) => ({
        inventory_item_id: l.inventory_item_id,
        location_id: l.location_id,
        available: l.stocked_quantity - l.reserved_quantity,
        requested: l.wanted,
      }))
  )
}

export async function findReservation(ctx: StockContext, id: string): Promise<ReservationItemDTO> {
  const [reservation] = await ctx.read.rows<ReservationItemDTO>(
    `SELECT ${COLUMNS} FROM reservation_item WHERE id = $1 AND deleted_at IS NULL`,
    [id],
    "mit_retrieve_reservation"
  )
  if (!reservation) throw reservationNotFound(id)
  return reservation
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
  const [updated] = await ctx.db.rows<ReservationItemDTO>(
    `WITH deltas AS (SELECT * FROM unnest($4::text[], $5::int[]) AS d(level_id, delta)),
     ${APPLY_RESERVED_DELTAS}
     UPDATE reservation_item SET ${sets.join(", ")}, updated_at = now()
      WHERE id = $1
      RETURNING ${COLUMNS}`,
    params
  )
  return updated
}

/** Which reservations a release deletes: by their ids, their line items or their locations. */
export interface ReleaseTarget {
  by: "id" | "line_item_id" | "location_id"
  ids: string[]
}

const RELEASE_FILTERS: Record<ReleaseTarget["by"], string> = {
  id: "id = ANY($1::text[])",
  line_item_id: "line_item_id = ANY($1::text[])",
  location_id: "location_id = ANY($1::text[])",
}

/**
 * Soft-deletes the live reservations of `target` and releases their quantities from their
 * live levels. A reservation deleted by two calls at once is released once: the second waits
 * on its row lock and then finds it deleted. The release is a statement of its own, so it
 * sees a level that was (re-)created, and counted the reservation, meanwhile.
 */
export async function release(ctx: StockContext, target: ReleaseTarget): Promise<void> {
  const removed = await ctx.db.rows<{ inventory_item_id: string; location_id: string; quantity: number }>(
    `WITH doomed AS (
       SELECT id FROM reservation_item WHERE ${RELEASE_FILTERS[target.by]} AND deleted_at IS NULL
        ORDER BY id FOR UPDATE
     )
     UPDATE reservation_item SET deleted_at = now()
      WHERE id IN (SELECT id FROM doomed) AND deleted_at IS NULL
     RETURNING inventory_item_id, location_id, quantity`,
    [target.ids]
  )
  if (!removed.length) return
  const totals = new Map<string, { item: string; location: string; quantity: number }>()
  for (const r of removed) {
    const key = levelKey(r.inventory_item_id, r.location_id)
    const total = totals.get(key) ?? { item: r.inventory_item_id, location: r.location_id, quantity: 0 }
    total.quantity += r.quantity
    totals.set(key, total)
  }
  const list = [...totals.values()]
  await ctx.db.rows(
    `WITH deltas AS (
       SELECT l.id AS level_id, -u.quantity AS delta
         FROM unnest($1::text[], $2::text[], $3::int[]) AS u(item, location, quantity)
         JOIN inventory_level l ON l.inventory_item_id = u.item AND l.location_id = u.location
        WHERE l.deleted_at IS NULL
     ),
     ${APPLY_RESERVED_DELTAS}
     SELECT count(*) AS adjusted FROM adjusted`,
    [list.map((t) => t.item), list.map((t) => t.location), list.map((t) => t.quantity)]
  )
}
