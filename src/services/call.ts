import type { SharedContext } from "@medusajs/types"
import type { EntityManager } from "typeorm"
import { CallTimeouts, hasTimeouts, managerExecutor, StatementSettings } from "../db/executor"
import type { Replica, ReplicaSet } from "../db/replicas"
import { isCommitting, watchTransactions, whenTransactionEnds } from "../db/transactions"
import type { StockContext } from "../stock/context"
import type { StockAlert } from "../stock/ledger"
import { invalidData, isDatabaseFailure, isRetryable, toMedusaError } from "../utils/errors"
import { alertEvents, EventBuffer, EventBusLike } from "../utils/events"

/**
 * The machinery around every public method: `@InventoryMethod` decides where the call runs
 * (the caller's transaction, one of its own, or autocommit for a single statement), retries
 * what may be retried, turns failures into MedusaErrors, and sends the call's events once its
 * data is committed. Inside, `stockContext(context)` hands the stock operations their context.
 */

/** What the module was configured with, shared by every call of one service instance. */
export interface ModuleRuntime {
  settings: StatementSettings
  strict: boolean
  /** Write a movement for every change of a level's quantities (option `ledger`). */
  ledger: boolean
  /** The module's low-stock line (option `lowStockThreshold`). */
  lowStockThreshold?: number
  replicas?: ReplicaSet
  logger?: { error?: (message: string) => void; warn?: (message: string) => void }
}

/** The service as the decorator sees it. */
export interface CallHost {
  manager_: EntityManager
  eventBusService_?: EventBusLike
  runtime_: ModuleRuntime
}

const CALL = Symbol("inventoryCall")

/** The state of one attempt of one public call, carried on the context the method receives. */
interface Call {
  events: EventBuffer
  /** Levels whose availability crossed an alert line in the call's statements. */
  alerts: StockAlert[]
  timeouts: CallTimeouts
  /** The replica lists and retrieves read from, when the call may use one. */
  replica?: Replica
}

type CallContext = SharedContext & { [CALL]?: Call }

/** Deadlocks and serialization failures of the module's own transactions are retried this many times in all. */
const MAX_ATTEMPTS = 3

export interface InventoryMethodOptions {
  /**
   * The method does all its writing in one SQL statement (any other statement only reads, to
   * word an error). A single statement is a transaction of its own, so without a caller's
   * transaction it runs on the pool in autocommit: no BEGIN/COMMIT round trips. A function
   * decides per call (lists are one statement unless relations are joined).
   */
  singleStatement?: boolean | ((args: unknown[]) => boolean)
  /** The method only reads. */
  readOnly?: boolean
  /** Outside a caller's transaction, the method may read from a replica (lists and retrieves). */
  replica?: boolean
}

/**
 * The outer wrapper of every public method, placed above `@InjectEntityManager()`:
 * - gives the call a fresh copy of the caller's context (the caller's object is never mutated),
 * - turns whatever escapes into a MedusaError (no driver error reaches the caller),
 * - sends the call's events once its transaction has committed.
 */
export function InventoryMethod(options: InventoryMethodOptions = {}): MethodDecorator {
  return (target: object, propertyKey: string | symbol, descriptor: PropertyDescriptor) => {
    const original = descriptor.value as (...args: unknown[]) => Promise<unknown>
    const indexes = (target as { MedusaContextIndex_?: Record<string | symbol, number> }).MedusaContextIndex_
    const index = indexes?.[propertyKey]
    if (index === undefined) {
      throw new Error(`@InventoryMethod on ${String(propertyKey)} needs a @MedusaContext() parameter`)
    }
    descriptor.value = async function (this: CallHost, ...args: unknown[]) {
      const caller = args[index] ?? {}
      if (typeof caller !== "object" || caller === null) {
        throw invalidData(`"context" must be an object`)
      }
      const callerManager = transactionManagerOf(caller as SharedContext)
      const { settings, replicas, logger } = this.runtime_
      // Timeouts are set per transaction, so a call with them never runs in autocommit.
      const autocommit = !callerManager && isSingleStatement(options, args) && !hasTimeouts(settings)
      let call: Call
      let result: unknown
      for (let attempt = 1; ; attempt++) {
        call = { events: new EventBuffer(), alerts: [], timeouts: new CallTimeouts(settings, callerManager !== undefined) }
        const context: CallContext = { ...(caller as SharedContext), [CALL]: call }
        if (autocommit) {
          // `@InjectEntityManager` then calls straight through instead of opening a transaction.
          context.transactionManager = this.manager_
        }
        if (options.replica && !callerManager && replicas) {
          call.replica = await replicas.pick()
        }
        args[index] = context
        try {
          result = await original.apply(this, args)
          await call.timeouts.restore()
          for (const [name, data] of alertEvents(call.alerts)) call.events.add(name, data)
          break
        } catch (error) {
          // Our own transaction was rolled back whole, so running it again is safe. A caller's
          // transaction is aborted by the error: only the caller can retry it.
          if (!callerManager && attempt < MAX_ATTEMPTS && isRetryable(error)) continue
          const ownRunner = (context.transactionManager as EntityManager | undefined)?.queryRunner
          const nothingWritten =
            options.readOnly === true ||
            callerManager !== undefined ||
            (!autocommit && ownRunner !== undefined && !isCommitting(ownRunner))
          const mapped = toMedusaError(error, { nothingWritten })
          if (isDatabaseFailure(mapped)) {
            logger?.error?.(`medusa-inventory-typeorm: ${String(propertyKey)} failed: ${(mapped as Error).message}`)
          }
          throw mapped
        }
      }
      if (!options.readOnly) replicas?.noteWrite()
      const runner = callerManager?.queryRunner
      if (runner?.isTransactionActive && !runner.isReleased) {
        whenTransactionEnds(runner, (committed) => (committed ? call.events.flush(this.eventBusService_) : undefined))
      } else {
        await call.events.flush(this.eventBusService_)
      }
      return result
    }
    return descriptor
  }
}

function isSingleStatement(options: InventoryMethodOptions, args: unknown[]): boolean {
  const { singleStatement } = options
  return typeof singleStatement === "function" ? singleStatement(args) : singleStatement === true
}

/**
 * The caller's `context.transactionManager`, checked: anything but a TypeORM EntityManager
 * (duck-typed, so that a second copy of TypeORM passes) is refused before any SQL runs.
 */
function transactionManagerOf(context: SharedContext): EntityManager | undefined {
  const manager = context.transactionManager as unknown
  if (manager === undefined || manager === null) return undefined
  const candidate = manager as Partial<EntityManager>
  if (
    typeof manager !== "object" ||
    typeof candidate.query !== "function" ||
    typeof candidate.transaction !== "function" ||
    typeof candidate.connection !== "object" ||
    candidate.connection === null
  ) {
    throw invalidData(`"context.transactionManager" must be a TypeORM EntityManager`)
  }
  return manager as EntityManager
}

/**
 * The stock operations' context for the call that received `context`. The manager is the one
 * `@InjectEntityManager` put there: the caller's transaction, ours, or (for a single
 * statement in autocommit) the DataSource's own, whose statements go straight to the pool.
 */
export function stockContext(host: CallHost, context: SharedContext): StockContext {
  const call = (context as CallContext)[CALL]
  if (!call) {
    throw new Error("stockContext() outside an @InventoryMethod call: the method lacks its decorator")
  }
  const manager = (context.transactionManager as EntityManager | undefined) ?? host.manager_
  watchTransactions(manager.queryRunner)
  const db = managerExecutor(manager, host.runtime_.settings, call.timeouts)
  const { replicas, strict, ledger, lowStockThreshold } = host.runtime_
  const read = call.replica && replicas ? replicas.executor(call.replica, db) : db
  return { db, read, events: call.events, strict, ledger, lowStockThreshold, note: {}, alerts: call.alerts }
}
