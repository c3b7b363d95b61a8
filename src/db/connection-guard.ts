/**
 * Guards for the `pg` connections of the module's own pools (the isolated DataSource and the
 * replica pools).
 *
 * A `pg` Client emits `error` when its server goes away (57P01 on a restart, a reset socket).
 * With no listener at that moment, Node throws the event: the process dies. pg-pool listens
 * while a client is idle and drops its listener the moment it hands the client out; the
 * borrower (TypeORM's query runner, through a promise) attaches its own a microtask later.
 * When the hand-out happens inside the socket's read loop, as a new connection's connect
 * callback does, the rest of the same chunk of bytes is parsed in between, and a server
 * shutdown message there had no listener: the crash of a pool that grows while PostgreSQL
 * restarts. So every client gets a listener of its own from its construction to its end.
 *
 * A connection that stops answering (a blackholed flow, a server that hangs) would otherwise
 * hold its caller forever: with `queryTimeoutMs`, a statement that gets no answer in that time
 * closes its connection, so it fails with a connection error, and the pool discards the
 * connection instead of handing it out again.
 */

/** The parts of `pg`'s Client the guard uses. */
export interface GuardableClient {
  on(event: "error", listener: (error: Error) => void): unknown
  query(...args: unknown[]): unknown
  connection?: { stream?: { destroy(error?: Error): void } }
}

type ClientClass = new (...args: any[]) => GuardableClient  

const GUARDED = Symbol.for("medusa-inventory-typeorm.guarded")

/** The error a connection that gave no answer in time is closed with (a connection error: `ETIMEDOUT`). */
export function noAnswerError(ms: number): Error {
  return Object.assign(new Error(`no answer from the database within ${ms} ms; the connection was closed`), { code: "ETIMEDOUT" })
}

/** Closes a connection for good: its statements fail, and its pool discards it when it comes back. */
export function closeConnection(client: GuardableClient | undefined, error: Error): void {
  client?.connection?.stream?.destroy(error)
}

export interface GuardOptions {
  /** Close a connection whose statement has had no answer for this long (unset: never). */
  queryTimeoutMs?: number
}

/**
 * A subclass of `Base` (pg's Client) whose instances always have an `error` listener and,
 * with `queryTimeoutMs`, close themselves when a statement gets no answer in time. Given to a
 * pool as its `Client` option (`extra.Client` of a TypeORM DataSource).
 */
export function guardedClientClass<C extends ClientClass>(Base: C, options: GuardOptions = {}): C {
  if ((Base as unknown as Record<symbol, unknown>)[GUARDED]) return Base
  const { queryTimeoutMs } = options
  const Guarded = class extends Base {
    /** The last connection error this client had (kept for diagnosis; pg marks the client unusable). */
    lastConnectionError?: Error

     
    constructor(...args: any[]) {
      super(...args)
      this.on("error", (error: Error) => {
        this.lastConnectionError = error
      })
    }

    override query(...args: unknown[]): unknown {
      const [config, values, callback] = args
      // Streams and cursors (submittables) manage their own lifetime.
      if (!queryTimeoutMs || (config && typeof (config as { submit?: unknown }).submit === "function")) {
        return super.query(...args)
      }
      const timer = setTimeout(() => closeConnection(this, noAnswerError(queryTimeoutMs)), queryTimeoutMs)
      timer.unref()
      const done = () => clearTimeout(timer)
      if (typeof values === "function") {
        return super.query(config, (error: unknown, result: unknown) => {
          done()
          ;(values as (e: unknown, r: unknown) => void)(error, result)
        })
      }
      if (typeof callback === "function") {
        return super.query(config, values, (error: unknown, result: unknown) => {
          done()
          ;(callback as (e: unknown, r: unknown) => void)(error, result)
        })
      }
      const result = super.query(config, values)
      if (result && typeof (result as Promise<unknown>).then === "function") {
        // Both branches handled: this chain never becomes an unhandled rejection of its own.
        ;(result as Promise<unknown>).then(done, done)
      } else {
        done()
      }
      return result
    }
  }
  Object.defineProperty(Guarded, GUARDED, { value: true })
  return Guarded
}

/** The parts of pg-pool's Pool the guard uses. */
export interface GuardablePool {
  on(event: "connect", listener: (client: GuardableClient) => void): unknown
  on(event: "error", listener: (error: Error) => void): unknown
}

const guardedPools = new WeakSet<object>()
const listenedClients = new WeakSet<object>()

/**
 * For a pool the module did not create (a host's, e.g. Medusa's own in shared mode, which a
 * host may choose to guard): every client it connects from now on, and every client it has,
 * gets an `error` listener of its own, and the pool's own `error` event is listened to.
 */
export function guardPool(pool: GuardablePool, onError: (error: Error) => void = () => undefined): void {
  if (guardedPools.has(pool)) return
  guardedPools.add(pool)
  const listen = (client: GuardableClient) => {
    if (listenedClients.has(client)) return
    listenedClients.add(client)
    client.on("error", onError)
  }
  pool.on("connect", listen)
  pool.on("error", onError)
  const existing = (pool as { _clients?: GuardableClient[] })._clients
  if (Array.isArray(existing)) existing.forEach(listen)
}
