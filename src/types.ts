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
}
