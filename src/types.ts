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
   * Name the module's fixed statements (server-side prepared statements, per connection). For
   * direct connections only: transaction-mode poolers (PgBouncer) break them. Off by default.
   */
  preparedStatements?: boolean
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
}
