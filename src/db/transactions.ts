import type { DataSource, QueryRunner } from "typeorm"

/**
 * TypeORM broadcasts transaction boundaries to a DataSource's subscribers. One subscriber per
 * DataSource, installed once and never removed (removing one while TypeORM iterates the list
 * would skip its neighbour), tells the module when a query runner's outermost transaction
 * ends (events wait for the commit) and whether a runner is committing right now (a lost
 * connection then leaves the outcome unknown).
 */

type Ending = (committed: boolean) => Promise<void> | void

const waiting = new WeakMap<QueryRunner, Ending[]>()
const committing = new WeakSet<QueryRunner>()
const watched = new WeakSet<object>()

function watch(connection: DataSource): void {
  if (watched.has(connection)) return
  watched.add(connection)
  const finish = async (runner: QueryRunner | undefined, committed: boolean) => {
    if (!runner || runner.isTransactionActive) return
    committing.delete(runner)
    const callbacks = waiting.get(runner)
    if (!callbacks) return
    waiting.delete(runner)
    for (const callback of callbacks) await callback(committed)
  }
  connection.subscribers.push({
    beforeTransactionCommit: (event: { queryRunner?: QueryRunner }) => {
      if (event.queryRunner) committing.add(event.queryRunner)
    },
    afterTransactionCommit: (event: { queryRunner?: QueryRunner }) => finish(event.queryRunner, true),
    afterTransactionRollback: (event: { queryRunner?: QueryRunner }) => finish(event.queryRunner, false),
  } as never)
}

/** Calls `done(committed)` when `runner`'s outermost transaction commits or rolls back. */
export function whenTransactionEnds(runner: QueryRunner, done: Ending): void {
  watch(runner.connection)
  const callbacks = waiting.get(runner) ?? []
  callbacks.push(done)
  waiting.set(runner, callbacks)
}

/** Starts watching `runner`'s DataSource, so that `isCommitting` can answer for it. */
export function watchTransactions(runner: QueryRunner | undefined): void {
  if (runner) watch(runner.connection)
}

/** Whether `runner` was sending COMMIT when it failed (or is sending it now). */
export function isCommitting(runner: QueryRunner | undefined): boolean {
  return runner !== undefined && committing.has(runner)
}
