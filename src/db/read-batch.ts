import type { Executor } from "./executor"

/**
 * Reads of the same kind that callers ask for at once, outside any transaction, share
 * statements. A checkout under load asks for availability many times at once (Medusa's cart
 * completion confirms every line, and every shopper does it at the same time); each ask is
 * small, so a statement's fixed costs (a round trip, a server process woken, parsing, the
 * executor's start-up, the driver's work per message) are most of what it costs.
 *
 * As group commit does: while fewer than `inFlight` statements of the kind are running, an
 * ask is sent at once, alone, by the same statement as without batching (a sequential script
 * never waits and never batches). When that many are running, asks wait, and the next
 * statement to finish sends every waiting ask in one statement. Under load a few statements
 * run at a time, each carrying what arrived meanwhile.
 *
 * Only reads batch: a read's answer is true at the moment its statement ran, which is within
 * the call, whatever else the statement read. Inside a transaction (the caller's, or the
 * module's own when it sets timeouts) nothing is batched: its snapshot and its connection
 * are the call's own.
 */
export interface ReadBatch<I, O> {
  /** Names the kind of read: asks of one kind on one pool batch together. */
  key: string
  /** The read of one ask, on the asking call's executor. */
  one(db: Executor, ask: I): Promise<O>
  /** The reads of several asks in one statement, answers in the order of the asks. */
  many(db: Executor, asks: I[]): Promise<O[]>
  /** At most this many asks per statement. */
  max: number
  /** Statements of the kind running at once before asks wait to be batched. */
  inFlight: number
}

interface Pending<I, O> {
  ask: I
  db: Executor
  resolve(answer: O): void
  reject(error: unknown): void
}

interface Lane<I, O> {
  running: number
  waiting: Pending<I, O>[]
}

/** Per pool (the owner of the asks' connections), each kind's statements running and asks waiting. */
const lanes = new WeakMap<object, Map<string, Lane<unknown, unknown>>>()

/**
 * The answer to `ask`, read alone or with others of its kind asked at the same time on `pool`
 * (the pool of the DataSource the call's autocommit statements go to).
 */
export function batchedRead<I, O>(pool: object, batch: ReadBatch<I, O>, db: Executor, ask: I): Promise<O> {
  let byKey = lanes.get(pool)
  if (!byKey) {
    byKey = new Map()
    lanes.set(pool, byKey)
  }
  let lane = byKey.get(batch.key) as Lane<I, O> | undefined
  if (!lane) {
    lane = { running: 0, waiting: [] }
    byKey.set(batch.key, lane as Lane<unknown, unknown>)
  }
  const own = lane
  return new Promise<O>((resolve, reject) => {
    const pending = { ask, db, resolve, reject }
    if (own.running < batch.inFlight) {
      run(batch, own, [pending])
    } else {
      own.waiting.push(pending)
    }
  })
}

function run<I, O>(batch: ReadBatch<I, O>, lane: Lane<I, O>, part: Pending<I, O>[]): void {
  lane.running++
  const done = () => {
    lane.running--
    if (lane.waiting.length) run(batch, lane, lane.waiting.splice(0, batch.max))
  }
  if (part.length === 1) {
    const [only] = part
    batch.one(only.db, only.ask).then(
      (answer) => {
        done()
        only.resolve(answer)
      },
      (error) => {
        done()
        only.reject(error)
      }
    )
    return
  }
  // The statement runs on the executor of the part's first ask: its call's deadline is the
  // earliest, and when it passes, the statement's connection is closed (every ask of the
  // part then fails, each within its own deadline).
  batch.many(part[0].db, part.map((p) => p.ask)).then(
    (answers) => {
      done()
      part.forEach((p, i) => p.resolve(answers[i]))
    },
    (error) => {
      done()
      part.forEach((p) => p.reject(error))
    }
  )
}
