import type { LoggerOptions } from "typeorm"

/** Connection settings for isolated resources (the module's own DataSource). */
export interface InventoryDatabaseOptions {
  type?: "postgres"
  url?: string
  database?: string
  host?: string
  port?: number
  username?: string
  password?: string
  schema?: string
  /** Passed to the `pg` pool, e.g. `{ max: 20, ssl: { rejectUnauthorized: false } }`. */
  extra?: Record<string, unknown>
  logging?: LoggerOptions
  /** TypeORM read replication, passed through as-is. */
  replication?: Record<string, unknown>
}

export interface InventoryModuleOptions {
  database?: InventoryDatabaseOptions
  /**
   * Refuse (NOT_ALLOWED, code INSUFFICIENT_INVENTORY) any reservation that would leave
   * `stocked_quantity - reserved_quantity` below zero at its level. Off by default because
   * Medusa also reserves variants that allow backorders.
   */
  strictReservations?: boolean
  /**
   * Name the module's fixed statements (server-side prepared statements, per connection).
   * `"auto"` (the default): only on connections that reach PostgreSQL itself, found out once
   * per connection; behind a pooler (PgBouncer in transaction mode breaks named statements)
   * none are named. `true`: always (direct connections only); `false`: never.
   */
  preparedStatements?: boolean | "auto"
  /** `lock_timeout` of each of the module's transactions (SET LOCAL); a call stuck on a row lock answers CONFLICT. */
  lockTimeoutMs?: number
  /** `statement_timeout` of each of the module's transactions (SET LOCAL). */
  statementTimeoutMs?: number
  /**
   * Read replicas (URLs, or `{ url, max }` for a pool size other than 10): lists and retrieves
   * outside a caller's transaction read from one. Writes, quantities, confirmInventory and
   * everything in a caller's transaction stay on the primary.
   */
  replicas?: (string | { url: string; max?: number })[]
  /** A replica whose replay lag exceeds this is skipped for the primary (default 1000). */
  maxReplicaLagMs?: number
  /** How often a replica's health and lag are checked, at most (default 1000). */
  replicaCheckIntervalMs?: number
  /**
   * Write a movement to `inventory_movement` for every change of a level's stocked or reserved
   * quantity (default true). Off, the ledger methods still work but nothing is recorded.
   */
  ledger?: boolean
  /**
   * The low-stock line of levels without `metadata.low_stock_threshold`: a change that takes a
   * level's available quantity from at or above it to below it sends `inventory-level.low-stock`.
   * Unset: only levels with their own threshold send it.
   */
  lowStockThreshold?: number
  /** Release reservations whose `expires_at` has passed every this many ms (default: never). */
  sweepIntervalMs?: number
  /**
   * The longest one call may take, measured by the client (default: `statementTimeoutMs` + 500
   * when that is set, else 60000). A call past it answers DB_ERROR `inventory_database_unavailable`,
   * saying whether anything was written; its connection is closed and discarded, never reused.
   * Not applied inside a caller's transaction (the caller's transaction is the caller's to bound).
   */
  callTimeoutMs?: number
  /**
   * How a level list that could decide a reservation's location is ordered (README
   * "Allocation"): `"as-listed"` (the default, the official order), `"most-available"` (most
   * available stock first, ties by location id) or `{ priority: [locationId, …] }` (the first
   * location in that order with stock available, then the rest). Applies to
   * `listInventoryLevels` with no `config.order`, one `inventory_item_id` (a string) and
   * `location_id` a list of ids: the call Medusa 1.20's `reserveQuantity` makes to pick the
   * location of a checkout's, swap's or claim's reservation.
   */
  allocation?: AllocationOption
  /**
   * With an allocation strategy: `confirmInventory` answers true only when one of the given
   * locations can cover the quantity on its own (what the reservation needs), not when their
   * sum can. Refused at boot with `allocation: "as-listed"`.
   */
  confirmPerLocation?: boolean
}

/** The `allocation` option. */
export type AllocationOption = "as-listed" | "most-available" | { priority: readonly string[] }

/** One row of the stock ledger (`listInventoryMovements`). */
export interface InventoryMovementDTO {
  id: string
  inventory_item_id: string
  location_id: string
  stocked_delta: number
  reserved_delta: number
  stocked_after: number
  reserved_after: number
  /** `adjustment`, `reservation`, `release`, `correction`, `level_created`, … or the caller's own. */
  reason: string
  reference: string | null
  actor: string | null
  reservation_item_id: string | null
  idempotency_key: string | null
  metadata: Record<string, unknown> | null
  created_at: Date
  /** Change of incoming_quantity (a transfer in transit, its receipt, a correction). */
  incoming_delta: number
  /** Changes of the units set aside, per state. */
  damaged_delta: number
  quality_control_delta: number
  safety_stock_delta: number
  /** The state a set-aside or its release moved units into or out of. */
  state: "damaged" | "quality_control" | "safety_stock" | null
  /** The transfer the movement belongs to. */
  transfer_id: string | null
}

/** Filters of `listInventoryMovements`. */
export interface FilterableInventoryMovementProps {
  id?: string | string[]
  inventory_item_id?: string | string[]
  location_id?: string | string[]
  reason?: string | string[]
  reference?: string | string[]
  actor?: string | string[]
  reservation_item_id?: string | string[]
  idempotency_key?: string | string[]
  created_at?: { gt?: Date | string; gte?: Date | string; lt?: Date | string; lte?: Date | string }
  state?: string | string[]
  transfer_id?: string | string[]
}

/** What a caller records with its change: why, what for, who, once. */
export interface StockMovementOptions {
  /** Default: `adjustment` (adjust) or `correction` (set). */
  reason?: string
  /** An order, line item, purchase order or document id. */
  reference?: string
  /** A user, system or integration name. */
  actor?: string
  /** Repeating the call with this key and the same input returns the first result and writes nothing. */
  idempotency_key?: string
  metadata?: Record<string, unknown>
}

export interface StockedQuantityAdjustment {
  inventory_item_id: string
  location_id: string
  delta: number
}

export interface StockedQuantitySet {
  inventory_item_id: string
  location_id: string
  quantity: number
  /** Write nothing (CONFLICT) unless the level's stocked quantity is still this. */
  expected_quantity?: number
}
