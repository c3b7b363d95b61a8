import { Client, Pool } from "pg"
import { isConnectionError } from "../utils/errors"
import { guardedClientClass } from "./connection-guard"
import type { Executor } from "./executor"
import { encodeParameters } from "./wire"

/**
 * Read replicas for lists and retrieves. The facade decides which calls may use one (never a
 * write, a quantity or confirm read, or anything inside a caller's transaction); this class
 * decides which replica, if any:
 * - a replica is used only while its replay lag, checked at most every `checkIntervalMs`, is
 *   within `maxLagMs`; one that is down or lags more is skipped for the primary, with a warning
 *   when that starts and a line when it ends;
 * - after this module wrote, reads go to the primary for `maxLagMs + checkIntervalMs`, so a
 *   caller reads its own writes (Medusa's admin routes read right after they write);
 * - a replica that fails mid-read is marked down and the read runs again on the primary.
 */

export interface ReplicaOptions {
  urls: string[]
  maxLagMs: number
  checkIntervalMs: number
  /** Connections per replica pool. */
  poolMax: number
  /** A replica statement without an answer for this long closes its connection (the module's callTimeoutMs). */
  queryTimeoutMs?: number
  onWarning: (message: string) => void
}

interface Health {
  usable: boolean
  lagMs: number | null
  reason?: string
  checkedAt: number
}

/** The replay lag in ms: 0 when everything received is replayed, else the age of the last replayed commit. */
const LAG_SQL = `
  SELECT pg_is_in_recovery() AS standby,
         CASE WHEN NOT pg_is_in_recovery() THEN 0
              WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
              ELSE (EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000)::float8
         END AS lag_ms`

/** A URL without its password, for messages. */
function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:***@")
}

class Replica {
  private pool?: Pool
  private health?: Health
  private checking?: Promise<Health>

  constructor(
    readonly url: string,
    private readonly options: ReplicaOptions
  ) {}

  private poolFor(): Pool {
    if (!this.pool) {
      this.pool = new Pool({
        connectionString: this.url,
        max: this.options.poolMax,
        connectionTimeoutMillis: 2000,
        keepAlive: true,
        // Every client listened to for its whole life, and closed when it stops answering.
        Client: guardedClientClass(Client, { queryTimeoutMs: this.options.queryTimeoutMs }),
        // So that an operator (and the tests) can tell these sessions on the replica.
        application_name: "medusa-inventory-typeorm:replica",
      })
      // An idle connection that dies must not crash the process; the next check sees it.
      this.pool.on("error", () => this.markDown("its connection was lost"))
    }
    return this.pool
  }

  async usable(): Promise<boolean> {
    const now = Date.now()
    if (!this.health || now - this.health.checkedAt >= this.options.checkIntervalMs) {
      this.checking ??= this.check().finally(() => (this.checking = undefined))
      await this.checking
    }
    return this.health!.usable
  }

  private async check(): Promise<Health> {
    let next: Health
    try {
      const { rows } = await this.poolFor().query(LAG_SQL)
      const lag = rows[0].lag_ms === null ? null : Number(rows[0].lag_ms)
      const usable = lag !== null && lag <= this.options.maxLagMs
      next = {
        usable,
        lagMs: lag,
        checkedAt: Date.now(),
        reason: usable ? undefined : lag === null ? "its replay lag is unknown" : `it lags ${Math.round(lag)} ms (maxReplicaLagMs ${this.options.maxLagMs})`,
      }
    } catch (error) {
      next = { usable: false, lagMs: null, checkedAt: Date.now(), reason: `it is unreachable (${(error as Error).message})` }
    }
    this.report(next)
    this.health = next
    return next
  }

  /** Marks the replica unusable until its next check. */
  markDown(reason: string): void {
    const next: Health = { usable: false, lagMs: null, checkedAt: Date.now(), reason }
    this.report(next)
    this.health = next
  }

  private report(next: Health): void {
    const was = this.health?.usable ?? true
    if (was && !next.usable) {
      this.options.onWarning(`medusa-inventory-typeorm: replica ${redact(this.url)} skipped for the primary: ${next.reason}`)
    } else if (!was && next.usable) {
      this.options.onWarning(`medusa-inventory-typeorm: replica ${redact(this.url)} is used again (lag ${Math.round(next.lagMs ?? 0)} ms)`)
    }
  }

  async query<T>(sql: string, params: unknown[]): Promise<T[]> {
    const result = await this.poolFor().query({ text: sql, values: encodeParameters(params) })
    return result.rows as T[]
  }

  async close(): Promise<void> {
    const pool = this.pool
    this.pool = undefined
    await pool?.end()
  }
}

export class ReplicaSet {
  private readonly replicas: Replica[]
  private lastWriteAt = 0
  private turn = 0

  constructor(private readonly options: ReplicaOptions) {
    this.replicas = options.urls.map((url) => new Replica(url, options))
  }

  /** A write went to the primary: read it back from there for a while. */
  noteWrite(): void {
    this.lastWriteAt = Date.now()
  }

  /**
   * The replica the next read may use, in turn among the usable ones; `undefined` for the
   * primary (none usable, or this module wrote too recently for a replica to have it).
   */
  async pick(): Promise<Replica | undefined> {
    if (Date.now() - this.lastWriteAt < this.options.maxLagMs + this.options.checkIntervalMs) return undefined
    for (let i = 0; i < this.replicas.length; i++) {
      const replica = this.replicas[(this.turn + i) % this.replicas.length]
      if (await replica.usable()) {
        this.turn = (this.turn + i + 1) % this.replicas.length
        return replica
      }
    }
    return undefined
  }

  /** An executor that reads from `replica`, and from `primary` should the replica fail. */
  executor(replica: Replica, primary: Executor): Executor {
    return {
      manager: primary.manager,
      async rows<T>(sql: string, params: unknown[] = [], name?: string, many?: boolean): Promise<T[]> {
        try {
          return await replica.query<T>(sql, params)
        } catch (error) {
          if (!isConnectionError(error)) throw error
          replica.markDown(`a read failed (${(error as Error).message})`)
          return primary.rows<T>(sql, params, name, many)
        }
      },
      // Server functions serve checkouts: always on the primary.
      call: (fn, params, name) => primary.call(fn, params, name),
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.close()))
  }
}

export type { Replica }
