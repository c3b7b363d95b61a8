import type { SharedContext } from "@medusajs/types"
import type { EntityManager } from "typeorm"
import { isRetryable, toMedusaError } from "./errors"
import { EventBuffer, EventBusLike } from "./events"
import { invalidData } from "./errors"

export const EVENTS = Symbol("inventoryEvents")

/** Deadlocks and serialization failures are retried this many times in all. */
const MAX_ATTEMPTS = 3

/** The context our internals receive: the caller's, plus the call's event buffer. */
export type InventoryContext = SharedContext & { [EVENTS]?: EventBuffer }

interface Publisher {
  eventBusService_?: EventBusLike
  manager_: EntityManager
}

export interface InventoryMethodOptions {
  /**
   * The method does all its writing in one SQL statement (any other statement only reads, to
   * word an error). A single statement is a transaction of its own, so without a caller's
   * transaction it runs on the pool in autocommit: no BEGIN/COMMIT round trips. A function
   * decides per call (lists are one statement unless relations are joined).
   */
  singleStatement?: boolean | ((args: unknown[]) => boolean)
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
    descriptor.value = async function (this: Publisher, ...args: unknown[]) {
      const caller = args[index] ?? {}
      if (typeof caller !== "object" || caller === null) {
        throw invalidData(`"context" must be an object`)
      }
      const callerManager = transactionManagerOf(caller as SharedContext)
      let events: EventBuffer
      let result: unknown
      for (let attempt = 1; ; attempt++) {
        events = new EventBuffer()
        const context: InventoryContext = { ...(caller as SharedContext), [EVENTS]: events }
        if (!callerManager && isSingleStatement(options, args)) {
          // `@InjectEntityManager` then calls straight through instead of opening a transaction.
          context.transactionManager = this.manager_
        }
        args[index] = context
        try {
          result = await original.apply(this, args)
          break
        } catch (error) {
          // Our own transaction was rolled back whole, so running it again is safe. A caller's
          // transaction is aborted by the error: only the caller can retry it.
          if (!callerManager && attempt < MAX_ATTEMPTS && isRetryable(error)) continue
          throw toMedusaError(error)
        }
      }
      if (callerManager) {
        await events.flushAfterCommit(callerManager, this.eventBusService_)
      } else {
        await events.flush(this.eventBusService_)
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

export function eventsOf(context: InventoryContext): EventBuffer {
  return context[EVENTS] ?? new EventBuffer()
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
