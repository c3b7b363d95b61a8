import type { SharedContext } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import type { EntityManager, QueryRunner } from "typeorm"
import { closeConnection, GuardableClient, noAnswerError } from "../db/connection-guard"
import { CallTimeouts, CallWatch, hasTimeouts, managerExecutor, StatementSettings } from "../db/executor"
import type { Replica, ReplicaSet } from "../db/replicas"
import { isCommitting, watchTransactions, whenTransactionEnds } from "../db/transactions"
import { Allocation, DEFAULT_CALL_TIMEOUT_MS } from "../options"
import type { StockContext } from "../stock/context"
import type { StockAlert } from "../stock/ledger"
import { DATABASE_UNAVAILABLE, invalidData, isDatabaseFailure, isRetryable, toMedusaError } from "../utils/errors"
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
  /** How level lists that pick a reservation's location are ordered (option `allocation`). */
  allocation: Allocation
  /** `confirmInventory` asks one location to cover the quantity (option `confirmPerLocation`). */
  confirmPerLocation: boolean
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
  /** What the method returned. */
  result?: unknown
  /** The call's deadline, outside a caller's transaction (see withDeadline). */
  deadline?: Deadline
  /** The caller's transaction (its EntityManager), when the call runs in one that is active. */
  caller?: EntityManager
}

/** What the deadline of a call knows of where the call is: its autocommit statement or its transaction. */
interface Deadline extends CallWatch {
  /** The query runner of the call's own transaction, once the call has one. */
  runner?: QueryRunner
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
      // A caller's transaction is the caller's to bound; the module bounds its own calls.
      const deadline: Deadline | undefined = callerManager ? undefined : { sent: false }
      const attempts = async (): Promise<Call> => {
        for (let attempt = 1; ; attempt++) {
          const call: Call = {
            events: new EventBuffer(),
            alerts: [],
            timeouts: new CallTimeouts(settings, callerManager !== undefined),
            deadline,
            // A caller's manager outside a transaction (Medusa's swap and claim services pass their
            // service's own) shares nothing with the caller's other calls: it is no transaction.
            caller: callerManager?.queryRunner?.isTransactionActive ? callerManager : undefined,
          }
          const context: CallContext = { ...(caller as SharedContext), [CALL]: call }
          if (autocommit) {
            // `@InjectEntityManager` then calls straight through instead of opening a transaction.
            context.transactionManager = this.manager_
          }
          if (options.replica && !callerManager && replicas) {
            call.replica = await replicas.pick()
          }
          const callArgs = [...args]
          callArgs[index] = context
          try {
            call.result = await original.apply(this, callArgs)
            await call.timeouts.restore()
            for (const [name, data] of alertEvents(call.alerts)) call.events.add(name, data)
            return call
          } catch (error) {
            // Past the deadline the caller has had its answer: what happens here is not reported.
            if (deadline?.expired) throw deadline.expired
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
      }
      const bound = settings.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS
      const call = deadline
        ? await withDeadline(attempts(), bound, () => {
            const error = expire(deadline, bound, options.readOnly === true || (autocommit ? !deadline.sent : !isCommitting(deadline.runner)))
            logger?.error?.(`medusa-inventory-typeorm: ${String(propertyKey)} failed: ${error.message}`)
            return error
          })
        : await attempts()
      if (!options.readOnly) replicas?.noteWrite()
      const runner = callerManager?.queryRunner
      if (runner?.isTransactionActive && !runner.isReleased) {
        whenTransactionEnds(runner, (committed) => (committed ? call.events.flush(this.eventBusService_) : undefined))
      } else {
        await call.events.flush(this.eventBusService_)
      }
      return call.result
    }
    return descriptor
  }
}

/**
 * `work`, or the error `onExpiry` makes if `work` has not settled within `ms`. The work goes
 * on in the background until it fails (expire() closes its connection and stops its next
 * statement); its outcome is then nobody's, and is not reported.
 */
function withDeadline<T>(work: Promise<T>, ms: number, onExpiry: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      work.catch(() => undefined)
      reject(onExpiry())
    }, ms)
    timer.unref()
    work.then(
      (value) => {
        clearTimeout(timer)
        resolve(value)
      },
      (error) => {
        clearTimeout(timer)
        reject(error)
      }
    )
  })
}

/**
 * The call's time is up: no statement of it may start from now on, and the connection it is
 * using (its transaction's, or its autocommit statement's) is closed, so a COMMIT not yet sent
 * never will be and the pool discards the connection. The error says whether anything can
 * have been written: a read, a transaction that had not begun to commit and an autocommit
 * statement never sent wrote nothing.
 */
function expire(deadline: Deadline, ms: number, nothingWritten: boolean): MedusaError {
  const error = new MedusaError(
    MedusaError.Types.DB_ERROR,
    `The inventory database is unavailable (no answer within ${ms} ms, callTimeoutMs); ` +
      (nothingWritten ? "nothing was written" : "the change may or may not have been applied: check before retrying"),
    DATABASE_UNAVAILABLE
  )
  deadline.expired = error
  const runnerConnection = (deadline.runner as { databaseConnection?: GuardableClient } | undefined)?.databaseConnection
  closeConnection((deadline.client as GuardableClient | undefined) ?? runnerConnection, noAnswerError(ms))
  return error
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
  const { deadline } = call
  if (deadline) {
    // Past the deadline, a transaction that began late stops here (and rolls back).
    if (deadline.expired) throw deadline.expired
    if (manager.queryRunner) deadline.runner = manager.queryRunner
  }
  const db = managerExecutor(manager, host.runtime_.settings, call.timeouts, deadline)
  const { replicas, strict, ledger, lowStockThreshold, allocation, confirmPerLocation } = host.runtime_
  const read = call.replica && replicas ? replicas.executor(call.replica, db) : db
  return { db, read, events: call.events, strict, ledger, lowStockThreshold, allocation, confirmPerLocation, caller: call.caller, note: {}, alerts: call.alerts }
}
