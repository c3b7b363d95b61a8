import type { ListSpec } from "../db/list-query"
import { invalidData, notEnoughAvailable, notStockedAt, transferClosed, transferNotFound } from "../utils/errors"
import { newId } from "../utils/ids"
import type { StockContext } from "./context"
import { movesCte, noteCrossing, Reasons, recordSql } from "./ledger"
import { levelKey, lockLevels } from "./locking"
import { columnList, TRANSFERS } from "./tables"

/**
 * Transfers of an item's units between two stock locations. Immediate: −n stocked at the
 * source and +n stocked at the destination. In transit: −n stocked at the source and +n
 * `incoming_quantity` (the official column, unused by Medusa 1.20) at the destination, until
 * `receiveTransfer` moves what arrived to stocked and records what did not as `transfer_loss`.
 * Every movement of a transfer carries its `transfer_id`.
 *
 * Locks (see locking.ts): both levels FOR UPDATE in id order before the source's availability
 * is judged, so a checkout reserving at the source meanwhile either waits or is waited for:
 * together they never take the source below its reservations. A receipt locks its transfer
 * first, then the destination level.
 */

export const TRANSFER_LIST: ListSpec = TRANSFERS

const COLUMNS = columnList(TRANSFERS)

export interface TransferDTO {
  id: string
  inventory_item_id: string
  from_location_id: string
  to_location_id: string
  quantity: number
  status: "in_transit" | "received"
  received_quantity: number | null
  lost_quantity: number | null
  reference: string | null
  actor: string | null
  idempotency_key: string | null
  metadata: Record<string, unknown> | null
  created_at: Date
  received_at: Date | null
}

export interface TransferInput {
  inventory_item_id: string
  from_location_id: string
  to_location_id: string
  quantity: number
  in_transit: boolean
}

export interface TransferWrite {
  transfer: TransferDTO
  /** The levels whose quantities changed (for their events). */
  changed: string[]
}

/** The two levels' movements: one row per level with its deltas, for `moves`. */
const MOVES = (transferParam: string) =>
  movesCte("lv", {
    level_id: "id",
    stocked_delta: "stocked_delta",
    reserved_delta: "0",
    stocked_after: "stocked_quantity",
    reserved_after: "reserved_quantity",
    reason: "reason",
    ord: "ord",
    incoming_delta: "incoming_delta",
    transfer_id: transferParam,
  })

export async function transferStock(ctx: StockContext, input: TransferInput): Promise<TransferWrite> {
  const from = { inventory_item_id: input.inventory_item_id, location_id: input.from_location_id }
  const to = { inventory_item_id: input.inventory_item_id, location_id: input.to_location_id }
  const levels = await lockLevels(ctx, [from, to])
  const missing = [from, to].filter((key) => !levels.has(levelKey(key.inventory_item_id, key.location_id)))
  if (missing.length) throw notStockedAt(missing)
  const source = levels.get(levelKey(from.inventory_item_id, from.location_id))!
  const destination = levels.get(levelKey(to.inventory_item_id, to.location_id))!
  const available = source.stocked_quantity - source.reserved_quantity
  if (available < input.quantity) {
    throw notEnoughAvailable(
      { ...from, requested: input.quantity, available },
      `transfer ${input.quantity} unit(s) to location ${input.to_location_id}`
    )
  }
  const id = newId("itrf")
  const n = input.quantity
  const note = ctx.note
  const params: unknown[] = [
    id,
    input.inventory_item_id,
    input.from_location_id,
    input.to_location_id,
    n,
    input.in_transit ? "in_transit" : "received",
    source.id,
    destination.id,
    note.reference ?? null,
    note.actor ?? null,
    note.idempotency_key ?? null,
    note.metadata === undefined ? null : JSON.stringify(note.metadata),
  ]
  const destinationColumn = input.in_transit ? "incoming_quantity" : "stocked_quantity"
  const [row] = await ctx.db.rows<TransferDTO & { _source: { after: number; threshold: string | null } }>(
    `WITH t AS (
       INSERT INTO inventory_transfer (id, inventory_item_id, from_location_id, to_location_id, quantity, status, received_quantity,
                                       lost_quantity, reference, actor, idempotency_key, metadata, received_at)
       VALUES ($1, $2, $3, $4, $5::int, $6::text,
               CASE WHEN $6::text = 'received' THEN $5::int END, CASE WHEN $6::text = 'received' THEN 0 END,
               $9::text, $10::text, $11::text, $12::jsonb, CASE WHEN $6::text = 'received' THEN now() END)
       RETURNING ${COLUMNS}
     ),
     src AS (
       UPDATE inventory_level SET stocked_quantity = stocked_quantity - $5::int, updated_at = now()
        WHERE id = $7 RETURNING id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, metadata->>'low_stock_threshold' AS threshold
     ),
     dst AS (
       UPDATE inventory_level SET ${destinationColumn} = ${destinationColumn} + $5::int, updated_at = now()
        WHERE id = $8 RETURNING id, inventory_item_id, location_id, stocked_quantity, reserved_quantity
     ),
     lv AS (
       SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, -$5::bigint AS stocked_delta,
              0::bigint AS incoming_delta, '${Reasons.TRANSFER_OUT}' AS reason, 1 AS ord FROM src
       UNION ALL
       SELECT id, inventory_item_id, location_id, stocked_quantity, reserved_quantity,
              CASE WHEN $6::text = 'received' THEN $5::bigint ELSE 0 END, CASE WHEN $6::text = 'received' THEN 0 ELSE $5::bigint END,
              CASE WHEN $6::text = 'received' THEN '${Reasons.TRANSFER_IN}' ELSE '${Reasons.TRANSFER_IN_TRANSIT}' END, 2 FROM dst
     ),
     ${MOVES("$1::text")},
     ${recordSql(ctx, params, note, true)}
     SELECT t.*, (SELECT json_build_object('after', stocked_quantity - reserved_quantity, 'threshold', threshold) FROM src) AS _source
       FROM t`,
    params
  )
  const { _source, ...transfer } = row
  noteCrossing(ctx, source, _source.after + n, _source.after, _source.threshold)
  return { transfer, changed: [source.id, destination.id] }
}

/**
 * Receives a transfer in transit: `received_quantity` units from incoming to stocked at the
 * destination, and the rest (a short receipt) out of incoming as a `transfer_loss` movement;
 * the transfer is closed either way. NOT_FOUND for an unknown transfer, CONFLICT for one no
 * longer in transit, INVALID_DATA for more than was sent.
 */
export async function receiveTransfer(ctx: StockContext, id: string, received: number): Promise<TransferWrite> {
  const [transfer] = await ctx.db.rows<TransferDTO>(`SELECT ${COLUMNS} FROM inventory_transfer WHERE id = $1 FOR UPDATE`, [id])
  if (!transfer) throw transferNotFound(id)
  if (transfer.status !== "in_transit") throw transferClosed(id, transfer.status)
  if (received > transfer.quantity) {
    throw invalidData(`"received_quantity" must not exceed the transfer's quantity ${transfer.quantity} (got ${received})`)
  }
  const key = { inventory_item_id: transfer.inventory_item_id, location_id: transfer.to_location_id }
  const levels = await lockLevels(ctx, [key])
  const level = levels.get(levelKey(key.inventory_item_id, key.location_id))
  if (!level) throw notStockedAt([key])
  const params: unknown[] = [id, level.id, transfer.quantity, received]
  const [row] = await ctx.db.rows<TransferDTO & { _incoming: number }>(
    `WITH lvl AS (
       UPDATE inventory_level SET incoming_quantity = incoming_quantity - $3::int, stocked_quantity = stocked_quantity + $4::int,
                                  updated_at = now()
        WHERE id = $2 AND incoming_quantity >= $3::int
       RETURNING id, inventory_item_id, location_id, stocked_quantity, reserved_quantity, incoming_quantity
     ),
     t AS (
       UPDATE inventory_transfer SET status = 'received', received_quantity = $4::int, lost_quantity = $3::int - $4::int, received_at = now()
        WHERE id = $1 AND EXISTS (SELECT 1 FROM lvl)
       RETURNING ${COLUMNS}
     ),
     lv AS (
       SELECT lvl.id, lvl.inventory_item_id, lvl.location_id, lvl.stocked_quantity, lvl.reserved_quantity,
              v.stocked_delta, v.incoming_delta, v.reason, v.ord
         FROM lvl CROSS JOIN (VALUES ($4::bigint, -$4::bigint, '${Reasons.TRANSFER_RECEIVED}', 1),
                                     (0::bigint, $4::bigint - $3::int, '${Reasons.TRANSFER_LOSS}', 2)) AS v(stocked_delta, incoming_delta, reason, ord)
     ),
     ${MOVES("$1::text")},
     ${recordSql(ctx, params, ctx.note, true)}
     SELECT t.*, (SELECT incoming_quantity FROM lvl) AS _incoming FROM t`,
    params
  )
  if (!row) {
    // The level's incoming quantity no longer holds the transfer: it was set by hand, or the
    // level was deleted and made again. Nothing is written; correct the level first.
    throw invalidData(
      `The incoming quantity of item ${key.inventory_item_id} at location ${key.location_id} is less than the transfer's ${transfer.quantity}: ` +
        `it was changed outside this transfer (a correction, or the level deleted and made again); nothing was received`
    )
  }
  const { _incoming: _ignored, ...closed } = row
  // A receipt only raises availability: of the alerts, only back-in-stock can follow, which needs no threshold.
  const after = level.stocked_quantity + received - level.reserved_quantity
  noteCrossing(ctx, level, after - received, after, null)
  return { transfer: closed, changed: [level.id] }
}
