import { Client } from "pg"
import { LEDGER_IMBALANCE_SQL } from "../../src/stock/ledger"
import { liveReservationSums } from "../../src/stock/reservations"

/**
 * The books of a database after a fault run: what must hold whatever the faults did.
 * - I2: every live level's reserved quantity equals its live reservations;
 * - I6: every live level's quantities equal the sums of its movements;
 * - per level, the stocked and reserved quantities and the movement counts, for the spec to
 *   compare with what its calls were told.
 */
export interface Books {
  drift: { id: string; drift: number }[]
  imbalance: Record<string, unknown>[]
  levels: Map<string, { stocked: number; reserved: number }>
  /** Live reservations by line item id. */
  reservationsByLineItem: Map<string, number>
  /** Reservation rows, live or deleted, by line item id. */
  reservationRowsByLineItem: Map<string, number>
  /** Movements by reference (adjustStockedQuantities writes its `reference` on each). */
  movementsByReference: Map<string, { count: number; stocked: number }>
  /** Movements of reason `adjustment` without a reference (adjustInventory), by `item@location`. */
  plainAdjustments: Map<string, number>
}

export async function readBooks(url: string): Promise<Books> {
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    const drift = (
      await client.query(
        `WITH levels AS (SELECT id, inventory_item_id, location_id, reserved_quantity FROM inventory_level WHERE deleted_at IS NULL),
         ${liveReservationSums("levels")}
         SELECT l.id, l.reserved_quantity - COALESCE(s.quantity, 0) AS drift
           FROM levels l LEFT JOIN sums s ON s.inventory_item_id = l.inventory_item_id AND s.location_id = l.location_id
          WHERE l.reserved_quantity <> COALESCE(s.quantity, 0)`
      )
    ).rows
    const imbalance = (await client.query(LEDGER_IMBALANCE_SQL)).rows
    const levels = new Map<string, { stocked: number; reserved: number }>()
    for (const row of (await client.query(`SELECT inventory_item_id, location_id, stocked_quantity, reserved_quantity FROM inventory_level WHERE deleted_at IS NULL`)).rows) {
      levels.set(`${row.inventory_item_id}@${row.location_id}`, { stocked: row.stocked_quantity, reserved: row.reserved_quantity })
    }
    const reservationsByLineItem = new Map<string, number>()
    for (const row of (await client.query(`SELECT line_item_id, count(*)::int AS n FROM reservation_item WHERE deleted_at IS NULL AND line_item_id IS NOT NULL GROUP BY 1`)).rows) {
      reservationsByLineItem.set(row.line_item_id, row.n)
    }
    const reservationRowsByLineItem = new Map<string, number>()
    for (const row of (await client.query(`SELECT line_item_id, count(*)::int AS n FROM reservation_item WHERE line_item_id IS NOT NULL GROUP BY 1`)).rows) {
      reservationRowsByLineItem.set(row.line_item_id, row.n)
    }
    const movementsByReference = new Map<string, { count: number; stocked: number }>()
    for (const row of (
      await client.query(`SELECT reference, count(*)::int AS n, sum(stocked_delta)::int AS stocked FROM inventory_movement WHERE reference IS NOT NULL GROUP BY 1`)
    ).rows) {
      movementsByReference.set(row.reference, { count: row.n, stocked: row.stocked })
    }
    const plainAdjustments = new Map<string, number>()
    for (const row of (
      await client.query(`SELECT inventory_item_id, location_id, count(*)::int AS n FROM inventory_movement WHERE reason = 'adjustment' AND reference IS NULL GROUP BY 1, 2`)
    ).rows) {
      plainAdjustments.set(`${row.inventory_item_id}@${row.location_id}`, row.n)
    }
    return { drift, imbalance, levels, reservationsByLineItem, reservationRowsByLineItem, movementsByReference, plainAdjustments }
  } finally {
    await client.end()
  }
}
