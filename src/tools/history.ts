import type { DataSource } from "typeorm"
import { Reasons } from "../stock/ledger"
import { MOVEMENT_DELTAS } from "../stock/tables"
import { ulidAt } from "../utils/ids"
import type { InventoryMovementDTO } from "../types"

/**
 * The stock ledger from the command line: an item's movements, newest first (`history`), and
 * the folding of old movements into one `opening` movement per (item, location) (`history
 * prune`), which keeps the sums of every pair's movements, and so invariant I6.
 */

export class HistoryError extends Error {}

/** A movement as `history --json` prints it: the service's row (quantities as numbers, created_at a Date). */
export type MovementRow = InventoryMovementDTO

export interface HistoryItem {
  id: string
  sku: string | null
  deleted: boolean
}

export interface History {
  item: HistoryItem
  location: string | null
  /** Newest first, at most `limit`. */
  movements: MovementRow[]
  /** All movements of the item (at the location), however many are shown. */
  total: number
}

export interface HistoryOptions {
  /** An inventory item id (live or deleted) or the sku of a live item. */
  item: string
  location?: string
  limit: number
}

/** The item with this id, else the live item with this sku. */
async function findItem(dataSource: DataSource, idOrSku: string): Promise<HistoryItem> {
  const [found] = await dataSource.query(
    `SELECT id, sku, deleted_at IS NOT NULL AS deleted FROM inventory_item
      WHERE id = $1 OR (sku = $1 AND deleted_at IS NULL)
      ORDER BY (id = $1) DESC LIMIT 1`,
    [idOrSku]
  )
  if (!found) throw new HistoryError(`no inventory item with id or sku "${idOrSku}"`)
  return found
}

export async function itemHistory(dataSource: DataSource, options: HistoryOptions): Promise<History> {
  const item = await findItem(dataSource, options.item)
  const location = options.location ?? null
  const where = `inventory_item_id = $1 AND ($2::text IS NULL OR location_id = $2)`
  const rows: Record<string, any>[] = await dataSource.query(
    `SELECT id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after, reserved_after, reason,
            reference, actor, reservation_item_id, idempotency_key, metadata, created_at, incoming_delta, damaged_delta,
            quality_control_delta, safety_stock_delta, state, transfer_id
       FROM inventory_movement
      WHERE ${where}
      ORDER BY created_at DESC, id DESC
      LIMIT $3`,
    [item.id, location, options.limit]
  )
  const [{ total }] = await dataSource.query(`SELECT count(*)::int AS total FROM inventory_movement WHERE ${where}`, [item.id, location])
  const movements = rows.map((row) => {
    const movement = { ...row } as Record<string, unknown>
    for (const delta of MOVEMENT_DELTAS) movement[delta] = Number(row[delta])
    return movement as unknown as MovementRow
  })
  return { item, location, movements, total }
}

/** `+5`, `-2`, `0`. */
export const signed = (n: number) => (n > 0 ? `+${n}` : String(n))

/** ISO 8601 to the second, UTC. */
const isoSeconds = (date: Date) => `${date.toISOString().slice(0, 19)}Z`

/** Columns padded to their widest cell; numbers right-aligned. */
function table(header: string[], rows: string[][], right: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (right[i] ? cell.padStart(widths[i]) : i === cells.length - 1 ? cell : cell.padEnd(widths[i])))
      .join("  ")
      .trimEnd()
  return [line(header), ...rows.map(line)].join("\n")
}

export function formatHistory(history: History): string {
  const { item, movements, total } = history
  const name = `item ${item.id}${item.sku ? ` (sku ${item.sku})` : ""}${item.deleted ? " [deleted]" : ""}`
  const where = history.location ? ` at ${history.location}` : ""
  if (!total) return `No movements of ${name}${where}.`
  const shown = movements.length < total ? `the newest ${movements.length} of ${total}` : `${total}`
  const title = `Movements of ${name}${where}: ${shown}, newest first.`
  const rows = movements.map((m) => [
    isoSeconds(new Date(m.created_at)),
    m.location_id,
    m.reason,
    signed(m.stocked_delta),
    signed(m.reserved_delta),
    String(m.stocked_after),
    String(m.reserved_after),
    m.reference ?? "",
  ])
  const header = ["TIME", "LOCATION", "REASON", "STOCKED", "RESERVED", "STOCKED AFTER", "RESERVED AFTER", "REFERENCE"]
  return `${title}\n${table(header, rows, [false, false, false, true, true, true, true, false])}`
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,6})?)?)?(?:(Z)|([+-])(\d{2})(?::?(\d{2}))?)?$/i

/**
 * A `--before` date: `YYYY-MM-DD`, or with a time `YYYY-MM-DDTHH:MM[:SS[.ffffff]]`, and an
 * optional zone (`Z`, `+02:00`); UTC without one. Returned as a timestamp PostgreSQL reads
 * exactly as written (to the microsecond).
 */
export function parseBeforeDate(value: string): string {
  const text = value.trim()
  const match = DATE.exec(text)
  const invalid = () => new HistoryError(`--before expects a date such as 2026-01-31 or 2026-01-31T12:00:00Z, got "${value}"`)
  if (!match) throw invalid()
  const [, year, month, day, hour, minute = "00", second = "00", , sign, zoneHours = "00", zoneMinutes = "00"] = match
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()
  const fields: [string | undefined, number, number][] = [
    [month, 1, 12],
    [day, 1, daysInMonth],
    [hour ?? "00", 0, 23],
    [minute, 0, 59],
    [second, 0, 59],
    [zoneHours, 0, 15],
    [zoneMinutes, 0, 59],
  ]
  if (fields.some(([field, min, max]) => Number(field) < min || Number(field) > max)) throw invalid()
  const timestamp = hour === undefined ? `${year}-${month}-${day}T00:00:00` : text.slice(0, 10) + "T" + text.slice(11).replace(/(Z|[+-].*)$/i, "")
  const zone = sign ? `${sign}${zoneHours}:${zoneMinutes}` : "Z"
  return `${timestamp}${zone}`
}

export interface PruneResult {
  /** The cut-off, as PostgreSQL read it (ISO 8601, UTC). */
  before: string
  /** Movements folded (deleted) ... */
  movements_folded: number
  /** ... into this many `opening` movements, one per (item, location). */
  openings: number
  /** Idempotency keys older than the cut-off, deleted: a retry of those calls is no longer recognised. */
  idempotency_keys_deleted: number
}

/**
 * Folds every movement created before `before` into one `opening` movement per (item,
 * location), in one transaction: deltas the sums of the folded ones (so every pair's sums,
 * and I6, are kept), afters and created_at those of the last folded one. Pairs whose old
 * history is already a single opening are left alone, so pruning twice folds nothing more.
 * Movements are never updated, only inserted, so concurrent writers neither wait nor lose
 * anything: a movement this statement does not see is not folded.
 */
export async function pruneHistory(dataSource: DataSource, before: string): Promise<PruneResult> {
  return dataSource.transaction(async (manager) => {
    const [{ cutoff }] = await manager.query(`SELECT to_char($1::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cutoff`, [before])
    const groups: {
      inventory_item_id: string
      location_id: string
      stocked_delta: string
      reserved_delta: string
      incoming_delta: string
      damaged_delta: string
      quality_control_delta: string
      safety_stock_delta: string
      stocked_after: number
      reserved_after: number
      created_at: string
      created_ms: string
      first_created_at: string
      folded: number
    }[] = await manager.query(
      `WITH pairs AS (
         SELECT inventory_item_id, location_id
           FROM inventory_movement
          WHERE created_at < $1::timestamptz
          GROUP BY 1, 2
         HAVING count(*) > 1 OR bool_or(reason <> $2)
       ),
       folded AS (
         DELETE FROM inventory_movement m
          USING pairs p
          WHERE m.inventory_item_id = p.inventory_item_id AND m.location_id = p.location_id AND m.created_at < $1::timestamptz
         RETURNING m.*
       )
       SELECT inventory_item_id, location_id,
              sum(stocked_delta)::text AS stocked_delta, sum(reserved_delta)::text AS reserved_delta,
              sum(incoming_delta)::text AS incoming_delta, sum(damaged_delta)::text AS damaged_delta,
              sum(quality_control_delta)::text AS quality_control_delta, sum(safety_stock_delta)::text AS safety_stock_delta,
              (array_agg(stocked_after ORDER BY created_at DESC, id DESC))[1] AS stocked_after,
              (array_agg(reserved_after ORDER BY created_at DESC, id DESC))[1] AS reserved_after,
              max(created_at)::text AS created_at,
              floor(extract(epoch FROM max(created_at)) * 1000)::bigint::text AS created_ms,
              to_char(min(created_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS first_created_at,
              count(*)::int AS folded
         FROM folded
        GROUP BY 1, 2
        ORDER BY 1, 2`,
      [cutoff, Reasons.OPENING]
    )
    if (groups.length) {
      await manager.query(
        `INSERT INTO inventory_movement (id, inventory_item_id, location_id, stocked_delta, reserved_delta, stocked_after,
                                         reserved_after, reason, actor, metadata, created_at, incoming_delta, damaged_delta,
                                         quality_control_delta, safety_stock_delta)
         SELECT u.id, u.item, u.location, u.stocked_delta, u.reserved_delta, u.stocked_after, u.reserved_after, $10, $11,
                jsonb_build_object('folded_movements', u.folded, 'first_created_at', u.first_created_at), u.created_at,
                u.incoming_delta, u.damaged_delta, u.quality_control_delta, u.safety_stock_delta
           FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[], $7::int[], $8::timestamptz[], $9::int[],
                       $12::text[], $13::bigint[], $14::bigint[], $15::bigint[], $16::bigint[])
             AS u(id, item, location, stocked_delta, reserved_delta, stocked_after, reserved_after, created_at, folded, first_created_at,
                  incoming_delta, damaged_delta, quality_control_delta, safety_stock_delta)`,
        [
          // The ULID's time is the opening's: ids sort with created_at, as the writers' do.
          groups.map((g) => `imov_${ulidAt(Number(g.created_ms))}`),
          groups.map((g) => g.inventory_item_id),
          groups.map((g) => g.location_id),
          groups.map((g) => g.stocked_delta),
          groups.map((g) => g.reserved_delta),
          groups.map((g) => g.stocked_after),
          groups.map((g) => g.reserved_after),
          groups.map((g) => g.created_at),
          groups.map((g) => g.folded),
          Reasons.OPENING,
          "medusa-inventory history prune",
          groups.map((g) => g.first_created_at),
          groups.map((g) => g.incoming_delta),
          groups.map((g) => g.damaged_delta),
          groups.map((g) => g.quality_control_delta),
          groups.map((g) => g.safety_stock_delta),
        ]
      )
    }
    const [{ keys }] = await manager.query(
      `WITH gone AS (DELETE FROM inventory_idempotency_key WHERE created_at < $1::timestamptz RETURNING 1) SELECT count(*)::int AS keys FROM gone`,
      [cutoff]
    )
    return {
      before: cutoff.replace(/\.?0+Z$/, "Z"),
      movements_folded: groups.reduce((n, g) => n + g.folded, 0),
      openings: groups.length,
      idempotency_keys_deleted: keys,
    }
  })
}

export function formatPrune(result: PruneResult): string {
  const lines = [
    result.movements_folded
      ? `Folded ${result.movements_folded} movement(s) created before ${result.before} into ${result.openings} opening movement(s).`
      : `No movements created before ${result.before} to fold.`,
  ]
  if (result.idempotency_keys_deleted) lines.push(`Deleted ${result.idempotency_keys_deleted} idempotency key(s) older than that.`)
  return lines.join("\n")
}
