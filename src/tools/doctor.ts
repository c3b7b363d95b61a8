import type { DataSource, EntityManager } from "typeorm"
import { LEDGER_IMBALANCE_SQL, movesCte, Reasons, reasonLiteral, recordCte, recordParams } from "../stock/ledger"
import { liveReservationSums } from "../stock/reservations"

/**
 * Finds (and optionally repairs) what the official module leaves behind: levels whose
 * `reserved_quantity` is not the sum of their live reservations, live reservations without a
 * live level, levels with negative availability, and (item, location) pairs whose quantities
 * differ from the sums of their movements (the ledger's invariant I6). Like Saleor's reconcile
 * task, the fix recomputes reserved quantities from their source rows; every change it makes
 * is recorded as a `repair` movement, and so is every ledger difference it finds, so that the
 * ledger balances again.
 */

export interface DriftedLevel {
  level_id: string
  inventory_item_id: string
  location_id: string
  reserved_quantity: number
  reservations_quantity: number
}

export interface OrphanReservation {
  reservation_id: string
  inventory_item_id: string
  location_id: string
  quantity: number
}

export interface NegativeLevel {
  level_id: string
  inventory_item_id: string
  location_id: string
  stocked_quantity: number
  reserved_quantity: number
  available_quantity: number
}

/** A row of `LEDGER_IMBALANCE_SQL`: a pair whose live level (or 0 and 0 without one) and movements disagree. */
export interface LedgerImbalance {
  /** NULL when the pair has movements but no live level. */
  level_id: string | null
  inventory_item_id: string
  location_id: string
  stocked_quantity: number
  reserved_quantity: number
  ledger_stocked: number
  ledger_reserved: number
  incoming_quantity: number
  ledger_incoming: number
  damaged_quantity: number
  ledger_damaged: number
  quality_control_quantity: number
  ledger_quality_control: number
  safety_stock_quantity: number
  ledger_safety_stock: number
}

/** The quantities I6 covers: the level's column and the name of its ledger sum in LedgerImbalance. */
export const LEDGER_QUANTITIES = [
  ["stocked", "stocked_quantity", "ledger_stocked"],
  ["reserved", "reserved_quantity", "ledger_reserved"],
  ["incoming", "incoming_quantity", "ledger_incoming"],
  ["damaged", "damaged_quantity", "ledger_damaged"],
  ["quality_control", "quality_control_quantity", "ledger_quality_control"],
  ["safety_stock", "safety_stock_quantity", "ledger_safety_stock"],
] as const

export interface DoctorReport {
  levels_checked: number
  drift: DriftedLevel[]
  orphan_reservations: OrphanReservation[]
  negative_availability: NegativeLevel[]
  /** Levels whose reserved_quantity was set to the sum of their reservations (with --fix). */
  fixed: DriftedLevel[]
  /** Invariant I6: pairs whose quantities differ from the sums of their movements (before any fix). */
  ledger_imbalance: LedgerImbalance[]
  /** Pairs of `ledger_imbalance` balanced by a `repair` movement (with --fix). */
  ledger_fixed: LedgerImbalance[]
  /** `repair` movements written (with --fix): one per ledger difference and one per drift fixed. */
  repair_movements: number
}

export interface DoctorOptions {
  fix?: boolean
  /** Levels examined per statement; progress is reported after each batch. */
  batchSize?: number
  onProgress?: (done: number, total: number) => void
}

/** A batch of live levels after `$1`, with the sum of their live reservations. */
const sums = (lock: boolean) => `
  WITH batch AS (
    SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity
      FROM inventory_level
     WHERE deleted_at IS NULL AND id > $1
     ORDER BY id
     LIMIT $2
     ${lock ? "FOR UPDATE" : ""}
  ),
  ${liveReservationSums("batch")}
  SELECT b.id AS level_id, b.inventory_item_id, b.location_id, b.stocked_quantity, b.reserved_quantity,
         COALESCE(s.quantity, 0) AS reservations_quantity
    FROM batch b
    LEFT JOIN sums s ON s.inventory_item_id = b.inventory_item_id AND s.location_id = b.location_id
   ORDER BY b.id`

type LevelSums = DriftedLevel & { stocked_quantity: number }

async function checkLevels(manager: EntityManager, options: DoctorOptions, total: number, lock: boolean) {
  const batchSize = options.batchSize ?? 5000
  const drift: DriftedLevel[] = []
  const negative: NegativeLevel[] = []
  let after = ""
  let done = 0
  for (;;) {
    const rows: LevelSums[] = await manager.query(sums(lock), [after, batchSize])
    if (!rows.length) break
    for (const row of rows) {
      if (row.reserved_quantity !== row.reservations_quantity) {
        const { stocked_quantity: _s, ...level } = row
        drift.push(level)
      }
      const available = row.stocked_quantity - row.reserved_quantity
      if (available < 0) {
        negative.push({
          level_id: row.level_id,
          inventory_item_id: row.inventory_item_id,
          location_id: row.location_id,
          stocked_quantity: row.stocked_quantity,
          reserved_quantity: row.reserved_quantity,
          available_quantity: available,
        })
      }
    }
    done += rows.length
    after = rows[rows.length - 1].level_id
    options.onProgress?.(Math.min(done, total), total)
  }
  return { drift, negative, checked: done }
}

export async function runDoctor(dataSource: DataSource, options: DoctorOptions = {}): Promise<DoctorReport> {
  return dataSource.transaction(async (manager) => {
    const [{ count }] = await manager.query(`SELECT count(*)::int AS count FROM inventory_level WHERE deleted_at IS NULL`)
    // With --fix the levels are locked while they are checked, so the repair is exact.
    const { drift, negative, checked } = await checkLevels(manager, options, count, options.fix === true)
    const orphans: OrphanReservation[] = await manager.query(
      `SELECT r.id AS reservation_id, r.inventory_item_id, r.location_id, r.quantity
         FROM reservation_item r
        WHERE r.deleted_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM inventory_level l
                           WHERE l.inventory_item_id = r.inventory_item_id
                             AND l.location_id = r.location_id AND l.deleted_at IS NULL)
        ORDER BY r.id`
    )
    // With --fix every live level is locked by now: the differences are exact.
    // Sums of movements are bigints (pg hands them over as text): beyond a PostgreSQL integer
    // they are still reported, not an error.
    const imbalance: LedgerImbalance[] = (await manager.query(LEDGER_IMBALANCE_SQL)).map((row: LedgerImbalance) => {
      const out = { ...row }
      for (const [, , sum] of LEDGER_QUANTITIES) out[sum] = Number(row[sum])
      return out
    })
    const fixed: DriftedLevel[] = []
    const ledgerFixed: LedgerImbalance[] = []
    let repairs = 0
    if (options.fix) {
      // The ledger first: its repair records the unrecorded changes as they stand (afters are
      // the current quantities), so that the drift repair below reads as a change from there.
      repairs += await balanceLedger(manager, imbalance)
      ledgerFixed.push(...imbalance)
      repairs += await repairDrift(manager, drift)
      fixed.push(...drift)
    }
    return {
      levels_checked: checked,
      drift,
      orphan_reservations: orphans,
      negative_availability: negative,
      fixed,
      ledger_imbalance: imbalance,
      ledger_fixed: ledgerFixed,
      repair_movements: repairs,
    }
  })
}

/** Who and what the doctor's movements say. */
const REPAIR_ACTOR = "medusa-inventory doctor"
const REFERENCES = { drift: "doctor:reserved_drift", ledger: "doctor:ledger_imbalance" }

/** The note of the doctor's movements; each carries its own reference (REFERENCES). */
const REPAIR_NOTE = { reason: Reasons.REPAIR, actor: REPAIR_ACTOR }

/**
 * One `repair` movement per imbalanced pair carrying the difference, so that the sums of its
 * movements are the live level's quantities (0 and 0 without a live level); afters are those
 * quantities. Deltas add up: a balanced change written meanwhile keeps the repair exact.
 */
async function balanceLedger(manager: EntityManager, imbalance: LedgerImbalance[]): Promise<number> {
  if (!imbalance.length) return 0
  await manager.query(
    `WITH u AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[],
                            $9::bigint[], $10::bigint[])
         AS u(inventory_item_id, location_id, stocked, reserved, ledger_stocked, ledger_reserved, incoming, damaged, quality_control,
              safety_stock)
     ),
     ${movesCte("u", {
       level_id: "NULL",
       stocked_delta: "stocked::bigint - ledger_stocked",
       reserved_delta: "reserved::bigint - ledger_reserved",
       stocked_after: "stocked",
       reserved_after: "reserved",
       reason: reasonLiteral(Reasons.REPAIR),
       reference: `'${REFERENCES.ledger}'`,
       incoming_delta: "incoming",
       damaged_delta: "damaged",
       quality_control_delta: "quality_control",
       safety_stock_delta: "safety_stock",
     })},
     ${recordCte(11, true)}
     SELECT count(*) FROM moves`,
    [
      imbalance.map((i) => i.inventory_item_id),
      imbalance.map((i) => i.location_id),
      imbalance.map((i) => i.stocked_quantity),
      imbalance.map((i) => i.reserved_quantity),
      imbalance.map((i) => i.ledger_stocked),
      imbalance.map((i) => i.ledger_reserved),
      // The other quantities' differences, as deltas.
      imbalance.map((i) => i.incoming_quantity - i.ledger_incoming),
      imbalance.map((i) => i.damaged_quantity - i.ledger_damaged),
      imbalance.map((i) => i.quality_control_quantity - i.ledger_quality_control),
      imbalance.map((i) => i.safety_stock_quantity - i.ledger_safety_stock),
      ...recordParams(true, REPAIR_NOTE),
    ]
  )
  return imbalance.length
}

/**
 * Sets the drifted (locked) levels' reserved_quantity to the sum of their live reservations,
 * with a `repair` movement per level in the same statement: the change, and the new quantities.
 */
async function repairDrift(manager: EntityManager, drift: DriftedLevel[]): Promise<number> {
  if (!drift.length) return 0
  await manager.query(
    `WITH f AS (
       SELECT * FROM unnest($1::text[], $2::int[], $3::bigint[]) AS f(level_id, reserved, delta)
     ),
     upd AS (
       UPDATE inventory_level l SET reserved_quantity = f.reserved, updated_at = now()
         FROM f
        WHERE l.id = f.level_id
       RETURNING l.id, l.inventory_item_id, l.location_id, l.stocked_quantity, l.reserved_quantity, f.delta
     ),
     ${movesCte("upd", {
       level_id: "id",
       stocked_delta: "0",
       reserved_delta: "delta",
       stocked_after: "stocked_quantity",
       reserved_after: "reserved_quantity",
       reason: reasonLiteral(Reasons.REPAIR),
       reference: `'${REFERENCES.drift}'`,
       ord: "row_number() OVER (ORDER BY id)",
     })},
     ${recordCte(4)}
     SELECT count(*) FROM upd`,
    [
      drift.map((d) => d.level_id),
      drift.map((d) => d.reservations_quantity),
      drift.map((d) => d.reservations_quantity - d.reserved_quantity),
      ...recordParams(true, REPAIR_NOTE),
    ]
  )
  return drift.length
}

/** Problems the report found and did not repair (negative availability is a warning). */
export function unresolvedProblems(report: DoctorReport): number {
  const unfixedDrift = report.drift.length - report.fixed.length
  const unbalanced = report.ledger_imbalance.length - report.ledger_fixed.length
  return unfixedDrift + unbalanced + report.orphan_reservations.length
}
