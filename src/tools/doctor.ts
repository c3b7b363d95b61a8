import type { DataSource, EntityManager } from "typeorm"
import { liveReservationSums } from "../stock/reservations"

/**
 * Finds (and optionally repairs) what the official module leaves behind: levels whose
 * `reserved_quantity` is not the sum of their live reservations, live reservations without a
 * live level, and levels with negative availability. Like Saleor's reconcile task, the fix
 * recomputes reserved quantities from their source rows.
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

export interface DoctorReport {
  levels_checked: number
  drift: DriftedLevel[]
  orphan_reservations: OrphanReservation[]
  negative_availability: NegativeLevel[]
  /** Levels whose reserved_quantity was set to the sum of their reservations (with --fix). */
  fixed: DriftedLevel[]
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
    const fixed: DriftedLevel[] = []
    if (options.fix && drift.length) {
      await manager.query(
        `UPDATE inventory_level l SET reserved_quantity = f.reserved, updated_at = now()
           FROM unnest($1::text[], $2::int[]) AS f(id, reserved)
          WHERE l.id = f.id`,
        [drift.map((d) => d.level_id), drift.map((d) => d.reservations_quantity)]
      )
      fixed.push(...drift)
    }
    return {
      levels_checked: checked,
      drift,
      orphan_reservations: orphans,
      negative_availability: negative,
      fixed,
    }
  })
}

/** Problems the report found and did not repair (negative availability is a warning). */
export function unresolvedProblems(report: DoctorReport): number {
  const unfixedDrift = report.drift.length - report.fixed.length
  return unfixedDrift + report.orphan_reservations.length
}
