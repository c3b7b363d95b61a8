import type { Executor } from "../db/executor"
import type { Allocation } from "../options"
import type { EventBuffer } from "../utils/events"
import type { MovementNote, StockAlert } from "./ledger"

/**
 * What every stock operation receives: where to run its statements, where to read, where to
 * record the events of the call, and the module's policy. Built per call by the facade's
 * `@InventoryMethod` (services/call.ts); operations never see Medusa's SharedContext.
 */
export interface StockContext {
  /** The call's connection to the primary: the caller's transaction, ours, or the pool. */
  db: Executor
  /** Where the call reads lists and single rows: a replica when it may, otherwise `db`. */
  read: Executor
  /** The events of the call, sent after its transaction commits. */
  events: EventBuffer
  /** `strictReservations`: refuse reservations that would leave availability below zero. */
  strict: boolean
  /** `ledger`: write a movement for every change of a level's quantities. */
  ledger: boolean
  /** `lowStockThreshold`: the low-stock line of levels without `metadata.low_stock_threshold`. */
  lowStockThreshold?: number
  /** `allocation`: how level lists that pick a reservation's location are ordered (see allocation.ts). */
  allocation: Allocation
  /** `confirmPerLocation`: confirmInventory asks one location to cover the quantity. */
  confirmPerLocation: boolean
  /**
   * The caller's transaction (`context.transactionManager`), when the call runs in an active
   * one: the allocation strategies remember, per caller's transaction, the locations a list
   * offered (allocation.ts). A manager outside any transaction is none.
   */
  caller?: object
  /** What the caller said about the call's changes (reason, reference, actor, key, metadata). */
  note: MovementNote
  /** Levels whose availability crossed an alert line during the call (see ledger.ts). */
  alerts: StockAlert[]
}
