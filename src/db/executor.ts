import { QueryRunnerAlreadyReleasedError } from "typeorm"
import type { EntityManager, QueryRunner } from "typeorm"
import { encodeParameters, ResultTypes, resultTypesFor } from "./wire"

/**
 * Where every statement of the module runs. An `Executor` runs SQL on one call's connection:
 * the caller's transaction, the module's own transaction, or (for a call that is one
 * statement) straight on the pool in autocommit. It is the one place that knows about named
 * prepared statements and per-transaction timeouts, and nothing it does outlives a
 * transaction, so the module works behind transaction-mode poolers such as PgBouncer.
 */

export interface StatementSettings {
  /**
   * Name fixed statements, so that each pooled connection parses and plans them once. They
   * live in the server session, so poolers that hand a client's transactions to different
   * server connections (PgBouncer in transaction mode) break them. `"auto"` (the default)
   * names them only on connections that reach PostgreSQL itself (see namesAllowedOn).
   */
  preparedStatements: boolean | "auto"
  /** `SET LOCAL lock_timeout` for each transaction of the module; unset: the server's. */
  lockTimeoutMs?: number
  /** `SET LOCAL statement_timeout` for each transaction of the module; unset: the server's. */
  statementTimeoutMs?: number
  /**
   * The client-side bound of a call. With the timeouts above, the module's own transactions
   * also set `idle_in_transaction_session_timeout` to it, so that a transaction whose client
   * vanished (a blackholed connection the module gave up on) releases its row locks.
   */
  callTimeoutMs?: number
}

export interface Executor {
  /** The TypeORM manager of the call: for query builders, and lists that join relations. */
  readonly manager: EntityManager
  /**
   * The pool its statements go to when they run in autocommit (outside any transaction), so
   * that reads of several calls may share a statement (db/read-batch.ts); otherwise undefined.
   */
  readonly pool?: object
  /**
   * Runs one statement and returns its rows. `name` names a fixed SQL text, used as a
   * prepared statement's name when the module is set to (`preparedStatements`). `many`: the
   * statement returns many rows (a list's page, a bulk write's), worth reading its timestamps
   * with the module's parser (db/wire.ts), which a query of one or two rows would not repay.
   */
  rows<T = Record<string, unknown>>(sql: string, params?: unknown[], name?: string, many?: boolean): Promise<T[]>
  /**
   * Runs a server function's statement: a call of the function, or (where statements are
   * named) the statement itself under `name`.
   */
  call<T = Record<string, unknown>>(fn: { call: string; sql: string }, params: unknown[], name: string): Promise<T[]>
}

interface PgClient {
  /** The process id PostgreSQL's BackendKeyData gave this connection (a pooler gives its own). */
  processID?: number | null
  query(sql: string, parameters: unknown[]): Promise<{ rows: unknown[] }>
  query(config: { name?: string; text: string; values: unknown[]; types?: ResultTypes }): Promise<{ rows: unknown[] }>
  getTypeParser(oid: number, format?: string): (text: string) => unknown
  on(event: "error", listener: (error: Error) => void): unknown
  removeListener(event: "error", listener: (error: Error) => void): unknown
  release(error?: Error | boolean): void
  connection?: { stream?: { destroy(error?: Error): void } }
}

interface PgPool {
  connect(callback: (error: Error | undefined, client: PgClient | undefined) => void): void
}

/** The `pg` pool behind a TypeORM DataSource (its primary, when it replicates). */
export function poolOf(manager: EntityManager): PgPool | undefined {
  const pool = (manager.connection.driver as { master?: PgPool }).master
  return pool && typeof pool.connect === "function" ? pool : undefined
}

/**
 * What the deadline of one call (services/call.ts) needs to know of the statements the call
 * runs outside a transaction, and how it stops them.
 */
export interface CallWatch {
  /** Set when the call's time is up: no statement of the call may start after that. */
  expired?: Error
  /** The pooled connection an autocommit statement of the call runs on, while it runs. */
  client?: PgClient
  /** A statement went out in autocommit: cut off now, its effect would be unknown. */
  sent: boolean
}

/** A pooled connection with the error listener attached (see queryOnPool). */
interface Borrowed {
  client: PgClient
  onError: (error: Error) => void
  broken(): Error | undefined
}

/**
 * A connection from `pool`, listened to from the moment the pool hands it out: pg-pool calls
 * this callback synchronously (possibly inside the connection's read loop, for a new one),
 * where a promise would leave it without a listener until a microtask later.
 */
function borrow(pool: PgPool): Promise<Borrowed> {
  return new Promise((resolve, reject) => {
    pool.connect((error, client) => {
      if (error || !client) return reject(error ?? new Error("Connection terminated: the pool gave no client"))
      let broken: Error | undefined
      const onError = (cause: Error) => {
        broken ??= cause
      }
      client.on("error", onError)
      resolve({ client, onError, broken: () => broken })
    })
  })
}

/**
 * One statement on a pooled connection of its own. Not `pool.query()`: that releases the
 * connection inside the driver's read loop, where the pool may hand it straight to a waiting
 * TypeORM query runner that attaches its error listener only a moment later; a server
 * shutdown message read in that same loop then has no listener and crashes the process.
 * Here the connection is listened to from the moment it is handed out (see borrow), released
 * after the read loop, and an error on it while held is caught.
 */
async function queryOnPool(
  pool: PgPool,
  statement: Statement,
  parameters: unknown[],
  mode: boolean | "auto",
  watch?: CallWatch
): Promise<unknown[]> {
  const { client, onError, broken } = await borrow(pool)
  let failure: Error | undefined
  try {
    // The call's time ran out while it waited for the connection: nothing was sent.
    if (watch?.expired) throw watch.expired
    if (watch) {
      watch.client = client
      watch.sent = true
    }
    return await send(client, statement, parameters, mode)
  } catch (error) {
    failure = error as Error
    throw error
  } finally {
    if (watch?.client === client) watch.client = undefined
    client.removeListener("error", onError)
    // A connection that failed goes back with its error: the pool discards it.
    const lost = broken() ?? (failure && isBrokenConnection(failure) && failure !== watch?.expired ? failure : undefined)
    client.release(lost)
  }
}

/**
 * Sends `statement` on `client`: named where the connection allows it (see namesAllowedOn),
 * its array parameters written as literals and its timestamps read fast (db/wire.ts).
 */
async function send(client: PgClient, statement: Statement, parameters: unknown[], mode: boolean | "auto"): Promise<unknown[]> {
  const { name } = statement
  let named = false
  if (name !== undefined) {
    const allowed = namesAllowedOn(client, mode)
    named = typeof allowed === "boolean" ? allowed : await allowed
  }
  const values = encodeParameters(parameters)
  const types = statement.many ? resultTypesFor(client) : undefined
  // pg copies a query given as an object, property descriptor by property descriptor (about
  // 4 µs): a statement that needs neither a name nor result types goes as text and values.
  if (!named && !types) return (await client.query(statement.sql, values)).rows
  const result = await client.query({
    name: named ? name : undefined,
    text: named ? (statement.plain ?? statement.sql) : statement.sql,
    values,
    types,
  })
  return result.rows
}

/** Per pooled connection: whether it reaches PostgreSQL itself, so that named statements are safe on it. */
const directConnections = new WeakMap<PgClient, boolean>()

/**
 * Whether `client` may run named statements under `mode`. For `"auto"`, once per connection:
 * PostgreSQL tells a client its backend's process id at start-up (BackendKeyData), and
 * pg_backend_pid() answers the same id on a direct connection. A pooler in between
 * (PgBouncer, Odyssey, PgCat, managed poolers) makes up its own key for the client, so the
 * two differ there, and the module names nothing: the safe answer whenever it is unsure.
 */
function namesAllowedOn(client: PgClient, mode: boolean | "auto"): boolean | Promise<boolean> {
  if (mode !== "auto") return mode
  const known = directConnections.get(client)
  if (known !== undefined) return known
  return client.query("SELECT pg_backend_pid() AS pid", []).then(({ rows }) => {
    const direct = typeof client.processID === "number" && (rows[0] as { pid: number }).pid === client.processID
    directConnections.set(client, direct)
    return direct
  })
}

/** An error after which the connection cannot be reused (as opposed to an error of the statement). */
function isBrokenConnection(error: Error): boolean {
  const code = (error as { code?: unknown }).code
  return !(typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && !code.startsWith("08") && !code.startsWith("57P"))
}

/** True when the settings ask for timeouts, which need a transaction to be set in. */
export function hasTimeouts(settings: StatementSettings): boolean {
  return settings.lockTimeoutMs !== undefined || settings.statementTimeoutMs !== undefined
}

/**
 * The timeouts of one call. They are set with `set_config(…, true)` (`SET LOCAL`) in the
 * call's transaction before its first statement, so they end with the transaction and never
 * reach another client of a pooler. In a caller's transaction, the values the caller had are
 * put back when the call returns.
 */
export class CallTimeouts {
  private runner?: QueryRunner
  private previous?: Record<string, string>

  constructor(
    private readonly settings: StatementSettings,
    private readonly restoreAfterCall: boolean
  ) {}

  /** The settings this module sets, with their values. */
  private wanted(): [string, string][] {
    const wanted: [string, string][] = []
    if (this.settings.lockTimeoutMs !== undefined) wanted.push(["lock_timeout", `${this.settings.lockTimeoutMs}ms`])
    if (this.settings.statementTimeoutMs !== undefined) wanted.push(["statement_timeout", `${this.settings.statementTimeoutMs}ms`])
    // Only in the module's own transactions: a caller's may rightly sit idle between statements.
    if (wanted.length && !this.restoreAfterCall && this.settings.callTimeoutMs !== undefined) {
      wanted.push(["idle_in_transaction_session_timeout", `${this.settings.callTimeoutMs}ms`])
    }
    return wanted
  }

  async applyTo(manager: EntityManager): Promise<void> {
    const wanted = this.wanted()
    if (!wanted.length) return
    const runner = manager.queryRunner
    if (!runner?.isTransactionActive || this.runner === runner) return
    this.runner = runner
    // current_setting() is read before set_config() in the same select list.
    const [row] = await runner.query(
      `SELECT ${wanted.map(([name], i) => `current_setting('${name}') AS "${name}", set_config('${name}', $${i + 1}, true)`).join(", ")}`,
      wanted.map(([, value]) => value)
    )
    if (this.restoreAfterCall) this.previous = Object.fromEntries(wanted.map(([name]) => [name, String(row[name])]))
  }

  /** Puts the caller's own values back (only after a call that joined the caller's transaction). */
  async restore(): Promise<void> {
    const previous = this.previous
    if (!this.runner || !previous || this.runner.isReleased || !this.runner.isTransactionActive) return
    const names = Object.keys(previous)
    await this.runner.query(
      `SELECT ${names.map((name, i) => `set_config('${name}', $${i + 1}, true)`).join(", ")}`,
      names.map((name) => previous[name])
    )
  }
}

/** One statement as the executor runs it. */
export interface Statement {
  sql: string
  /** Names a fixed SQL text: its prepared statement's name where statements are named. */
  name?: string
  /**
   * The statement a server function wraps (sql calls the function): run instead, under its
   * name, where statements are named, since a named statement is planned once already.
   */
  plain?: string
  /** It returns many rows: read their timestamps with the module's parser (see Executor.rows). */
  many?: boolean
}

/**
 * Runs one statement on `manager`. TypeORM's postgres driver answers UPDATE and DELETE with
 * `[rows, rowCount]` and everything else with `rows`; callers get rows either way.
 */
export async function queryRows<T = Record<string, unknown>>(
  manager: EntityManager,
  statement: Statement,
  parameters: unknown[] = [],
  mode: boolean | "auto" = false,
  watch?: CallWatch
): Promise<T[]> {
  const runner = manager.queryRunner
  if (!runner) {
    // Autocommit (no transaction to join): straight to the pool of the DataSource's driver,
    // skipping the query runner TypeORM would create and release around one statement.
    const pool = poolOf(manager)
    if (pool) return (await queryOnPool(pool, statement, parameters, mode, watch)) as T[]
  }
  const client = (runner as { databaseConnection?: PgClient } | undefined)?.databaseConnection
  if (runner && client && typeof client.getTypeParser === "function") {
    // A transaction (the caller's or ours): on its connection, as TypeORM's query() would run
    // it, but named where allowed, with the module's parameter encoding and result types.
    if (runner.isReleased) throw new QueryRunnerAlreadyReleasedError()
    return (await send(client, statement, parameters, mode)) as T[]
  }
  const result = await manager.query(statement.sql, encodeParameters(parameters))
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") {
    return result[0] as T[]
  }
  return result as T[]
}

/**
 * An executor over `manager`, applying `settings` (and the call's timeouts) to each statement;
 * with `watch`, no statement starts once the call's time is up.
 */
export function managerExecutor(manager: EntityManager, settings: StatementSettings, timeouts?: CallTimeouts, watch?: CallWatch): Executor {
  return {
    manager,
    pool: manager.queryRunner ? undefined : poolOf(manager),
    async rows<T>(sql: string, params: unknown[] = [], name?: string, many?: boolean): Promise<T[]> {
      if (watch?.expired) throw watch.expired
      await timeouts?.applyTo(manager)
      return queryRows<T>(manager, { sql, name, many }, params, settings.preparedStatements, watch)
    },
    async call<T>(fn: { call: string; sql: string }, params: unknown[], name: string): Promise<T[]> {
      if (watch?.expired) throw watch.expired
      await timeouts?.applyTo(manager)
      return queryRows<T>(manager, { sql: fn.call, name, plain: fn.sql }, params, settings.preparedStatements, watch)
    },
  }
}
