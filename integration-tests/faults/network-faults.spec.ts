import type { IInventoryService } from "@medusajs/types"
import { MedusaError } from "@medusajs/utils"
import { Client } from "pg"
import { initialize, runMigrations } from "../../src"
import type InventoryService from "../../src/services/inventory"
import { createDatabase, dropDatabase, uniqueDatabaseName } from "../utils/database"
import { FaultOptions, FaultProxy, startFaultProxy } from "../utils/fault-proxy"
import { sharedPgBouncer } from "../utils/pgbouncer"
import { Books, readBooks } from "./books"

/**
 * Network faults between the module and PostgreSQL: a TCP proxy of the test's
 * (utils/fault-proxy.ts) resets a third of the open connections every ~400 ms, delays some
 * connections by 2 s, and blackholes others (they stop forwarding and stay open), while 8
 * workers run a mixed burst for 30 s: `adjustStockedQuantities` with an idempotency key and a
 * unique reference, reservations created and deleted, `adjustInventory`, `confirmInventory`
 * and `retrieveAvailableQuantity`. Half the workers use a module with `statementTimeoutMs`
 * (and `lockTimeoutMs`), whose calls are transactions; the other half one with only
 * `callTimeoutMs`, whose single statements run in autocommit.
 *
 * What must hold:
 * - the process never crashes: no uncaught exception, no unhandled rejection;
 * - every error is a MedusaError, never a driver's;
 * - no call takes longer than its bound (`statementTimeoutMs` + 500 ms, or `callTimeoutMs`)
 *   plus 1 s, blackholed connection or not;
 * - every answer is true: a success left exactly its movement; an error that says "nothing
 *   was written" left nothing; one that says the change "may or may not have been applied",
 *   retried with the same idempotency key once the faults stop, is applied exactly once;
 * - afterwards no reserved drift (I2), the ledger adds up (I6), and the module serves again
 *   within 5 s of the faults stopping.
 *
 * The same run goes through PgBouncer in transaction mode as well, with the proxy between the
 * module and PgBouncer (module → proxy → PgBouncer → PostgreSQL): that is where a store's
 * network is (the application's host to its pooler, often a managed one across a network),
 * and it makes PgBouncer face clients that vanish mid-transaction, which it must clean up
 * after on its server connections.
 */

const RUN_MS = Number(process.env.FAULT_RUN_MS ?? 30_000)
const WORKERS = 8
const ITEMS = 4
const LOCATIONS = ["loc_a", "loc_b"]
const STOCK = 1_000_000
const STATEMENT_TIMEOUT_MS = 2000
const CALL_TIMEOUT_MS = 2500

const FAULTS: FaultOptions = {
  resetEveryMs: 400,
  resetShare: 1 / 3,
  delayMs: 2000,
  delayedShare: 0.1,
  delayEveryMs: 1500,
  blackholeEveryMs: 1200,
}

type Kind = "stocked" | "reserve" | "release" | "adjust" | "confirm" | "available"

interface Call {
  kind: Kind
  module: "transactions" | "autocommit"
  ms: number
  ok: boolean
  error?: unknown
  item: string
  location: string
  reference?: string
  key?: string
  delta?: number
  lineItem?: string
  reservationId?: string
}

const said = (call: Call, pattern: RegExp) => !call.ok && pattern.test(String((call.error as Error)?.message ?? ""))
const NOTHING = /nothing was written/
const MAYBE = /may or may not have been applied/

function outcome(call: Call): string {
  if (call.ok) return "ok"
  const error = call.error as MedusaError
  if (!MedusaError.isMedusaError(error)) return "not a MedusaError"
  return `${error.type}: ${NOTHING.test(error.message) ? "nothing was written" : MAYBE.test(error.message) ? "may or may not" : error.message.slice(0, 140)}`
}

async function settle(url: string, database: string): Promise<void> {
  // Statements of calls the module gave up on may still be running (an autocommit statement
  // waiting for a lock that a blackholed transaction held): the books are read once none is.
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    for (let i = 0; i < 100; i++) {
      const [{ n }] = (
        await client.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND state NOT IN ('idle')`,
          [database]
        )
      ).rows
      if (n === 0) return
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  } finally {
    await client.end()
  }
}

async function faultRun(via: "direct" | "pgbouncer"): Promise<void> {
  const database = uniqueDatabaseName(`mit_faults_${via}`)
  const directUrl = await createDatabase(database)
  const unhandled: string[] = []
  const onUncaught = (error: unknown) => void unhandled.push(`uncaught: ${String((error as Error)?.stack ?? error)}`)
  const onRejection = (error: unknown) => void unhandled.push(`unhandled rejection: ${String((error as Error)?.stack ?? error)}`)
  process.on("uncaughtException", onUncaught)
  process.on("unhandledRejection", onRejection)
  let proxy: FaultProxy | undefined
  const modules: IInventoryService[] = []
  try {
    await runMigrations({ options: { database: { url: directUrl } } })
    const upstreamUrl = via === "pgbouncer" ? (await sharedPgBouncer()).url(database) : directUrl
    const upstream = new URL(upstreamUrl)
    proxy = await startFaultProxy({ host: upstream.hostname, port: Number(upstream.port || 5432) })
    const url = proxy.url(upstreamUrl)
    const transactional = await initialize({ database: { url, extra: { max: 10 } }, statementTimeoutMs: STATEMENT_TIMEOUT_MS, lockTimeoutMs: 1000 })
    const autocommit = await initialize({ database: { url, extra: { max: 10 } }, callTimeoutMs: CALL_TIMEOUT_MS })
    modules.push(transactional, autocommit)
    const bound = { transactions: STATEMENT_TIMEOUT_MS + 500, autocommit: CALL_TIMEOUT_MS }

    const items = await transactional.createInventoryItems(Array.from({ length: ITEMS }, (_, i) => ({ sku: `FAULT-${via}-${i}` })))
    await transactional.createInventoryLevels(
      items.flatMap((item) => LOCATIONS.map((location_id) => ({ inventory_item_id: item.id, location_id, stocked_quantity: STOCK })))
    )

    const calls: Call[] = []
    const running = { on: true }
    const kinds: Kind[] = ["stocked", "reserve", "adjust", "confirm", "release", "available"]
    const worker = async (w: number) => {
      const moduleName = w % 2 === 0 ? "transactions" : "autocommit"
      const service = (moduleName === "transactions" ? transactional : autocommit) as InventoryService
      const mine: string[] = []
      for (let n = 0; running.on; n++) {
        const kind = kinds[(n + w) % kinds.length]
        const item = items[(n + w) % ITEMS].id
        const location = LOCATIONS[(n >> 1) % LOCATIONS.length]
        const call: Call = { kind, module: moduleName, ms: 0, ok: false, item, location }
        const started = Date.now()
        try {
          switch (kind) {
            case "stocked":
              call.reference = `sref-${via}-${w}-${n}`
              call.key = `skey-${via}-${w}-${n}`
              call.delta = 1 + (n % 3)
              await service.adjustStockedQuantities([{ inventory_item_id: item, location_id: location, delta: call.delta }], {
                reference: call.reference,
                idempotency_key: call.key,
              })
              break
            case "reserve": {
              call.lineItem = `li-${via}-${w}-${n}`
              const reservation = await service.createReservationItem({ inventory_item_id: item, location_id: location, quantity: 1, line_item_id: call.lineItem })
              mine.push(reservation.id)
              break
            }
            case "release":
              call.reservationId = mine.shift()
              if (call.reservationId) await service.deleteReservationItem(call.reservationId)
              break
            case "adjust":
              await service.adjustInventory(item, location, 1)
              break
            case "confirm":
              expect(await service.confirmInventory(item, LOCATIONS, 1)).toBe(true)
              break
            case "available":
              expect(await service.retrieveAvailableQuantity(item, LOCATIONS)).toBeGreaterThan(0)
              break
          }
          call.ok = true
        } catch (error) {
          call.error = error
        }
        call.ms = Date.now() - started
        calls.push(call)
        if (!call.ok) await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    proxy.startFaults(FAULTS)
    const workers = Array.from({ length: WORKERS }, (_, w) => worker(w))
    await new Promise((resolve) => setTimeout(resolve, RUN_MS))
    running.on = false
    await Promise.all(workers)
    proxy.stopFaults()
    const stoppedAt = Date.now()

    // It serves again: one call of each kind on each module, until a whole round succeeds.
    let servedAfter = -1
    for (;;) {
      try {
        for (const service of modules) {
          const item = items[0].id
          await service.adjustInventory(item, "loc_a", 0)
          const reservation = await service.createReservationItem({ inventory_item_id: item, location_id: "loc_a", quantity: 1 })
          await service.deleteReservationItem(reservation.id)
          await service.retrieveAvailableQuantity(item, LOCATIONS)
        }
        servedAfter = Date.now() - stoppedAt
        break
      } catch (error) {
        if (Date.now() - stoppedAt > 30_000) throw error
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    }

    // The changes whose outcome was unknown, retried with their key: applied exactly once.
    const retried = calls.filter((c) => c.kind === "stocked" && said(c, MAYBE))
    for (const call of retried) {
      const service = (call.module === "transactions" ? transactional : autocommit) as InventoryService
      await service.adjustStockedQuantities([{ inventory_item_id: call.item, location_id: call.location, delta: call.delta! }], {
        reference: call.reference,
        idempotency_key: call.key,
      })
    }
    await settle(directUrl, database)
    const books: Books = await readBooks(directUrl)

    // --- the process, the errors and the waits
    expect(unhandled).toEqual([])
    expect(calls.filter((c) => !c.ok && !MedusaError.isMedusaError(c.error)).map((c) => `${c.kind}: ${String(c.error)}`)).toEqual([])
    expect(calls.filter((c) => c.ms > bound[c.module] + 1000).map((c) => `${c.kind} on ${c.module}: ${c.ms} ms (${outcome(c)})`)).toEqual([])
    // The faults were felt, and calls still got through.
    expect(calls.filter((c) => !c.ok).length).toBeGreaterThan(0)
    expect(calls.filter((c) => c.ok).length).toBeGreaterThan(calls.length / 4)
    expect(proxy.tallies.resets).toBeGreaterThan(0)
    expect(proxy.tallies.blackholed).toBeGreaterThan(0)
    // The module closed blackholed connections it had used (they are not handed out again).
    expect(proxy.tallies.discarded).toBeGreaterThan(0)
    expect(proxy.tallies.delayed).toBeGreaterThan(0)
    expect(servedAfter).toBeGreaterThanOrEqual(0)
    expect(servedAfter).toBeLessThanOrEqual(5000)

    // --- every answer is true
    const lies: string[] = []
    for (const call of calls) {
      if (call.kind === "stocked") {
        const moved = books.movementsByReference.get(call.reference!)
        if (call.ok || said(call, MAYBE)) {
          // Succeeded, or retried with its key after the faults: exactly its one movement.
          if (moved?.count !== 1 || moved.stocked !== call.delta) lies.push(`${call.reference} (${outcome(call)}): ${JSON.stringify(moved)}`)
        } else if (moved) {
          lies.push(`${call.reference} said "${outcome(call)}" but moved ${JSON.stringify(moved)}`)
        }
      }
      if (call.kind === "reserve") {
        const rows = books.reservationRowsByLineItem.get(call.lineItem!) ?? 0
        if (call.ok && rows !== 1) lies.push(`${call.lineItem} was reserved but has ${rows} rows`)
        if (said(call, NOTHING) && rows !== 0) lies.push(`${call.lineItem} said "nothing was written" but has ${rows} rows`)
        if (said(call, MAYBE) && rows > 1) lies.push(`${call.lineItem} has ${rows} rows`)
      }
    }
    for (const item of items) {
      for (const location of LOCATIONS) {
        const mine = calls.filter((c) => c.kind === "adjust" && c.item === item.id && c.location === location)
        const ok = mine.filter((c) => c.ok).length
        const maybe = mine.filter((c) => said(c, MAYBE)).length
        const moved = books.plainAdjustments.get(`${item.id}@${location}`) ?? 0
        if (moved < ok || moved > ok + maybe) lies.push(`adjustInventory at ${item.id}@${location}: ${ok} ok, ${maybe} unknown, ${moved} movements`)
      }
    }
    // Deleted reservations are gone; reservations of a call that succeeded stay unless deleted.
    const released = new Set(calls.filter((c) => c.kind === "release" && c.ok && c.reservationId).map((c) => c.reservationId))
    const live = await liveReservationIds(directUrl)
    for (const id of released) if (live.has(id!)) lies.push(`${id} was deleted but is live`)
    for (const call of calls.filter((c) => c.kind === "release" && c.reservationId && said(c, NOTHING))) {
      if (!live.has(call.reservationId!)) lies.push(`${call.reservationId} said "nothing was written" but was deleted`)
    }
    expect(lies).toEqual([])
    expect(books.drift).toEqual([])
    expect(books.imbalance).toEqual([])

    const byOutcome = new Map<string, number>()
    for (const call of calls) byOutcome.set(outcome(call), (byOutcome.get(outcome(call)) ?? 0) + 1)
    const slowest = Math.max(...calls.map((c) => c.ms))
    console.log(
      `network faults (${via}): ${calls.length} calls in ${RUN_MS / 1000} s by ${WORKERS} workers; proxy: ${proxy.tallies.connections} connections, ` +
        `${proxy.tallies.resets} reset, ${proxy.tallies.delayed} delayed, ${proxy.tallies.blackholed} blackholed (${proxy.tallies.discarded} closed by the module); outcomes: ` +
        `${[...byOutcome].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k}`).join(", ")}; slowest call ${slowest} ms; ` +
        `${retried.length} unknown stock adjustments retried, each applied once; served again ${servedAfter} ms after the faults stopped; drift 0, ledger balanced`
    )
  } finally {
    process.off("uncaughtException", onUncaught)
    process.off("unhandledRejection", onRejection)
    for (const service of modules) await (service as InventoryService).__hooks.onApplicationShutdown()
    await proxy?.close()
    await dropDatabase(database)
  }
}

async function liveReservationIds(url: string): Promise<Set<string>> {
  const client = new Client({ connectionString: url })
  await client.connect()
  try {
    return new Set((await client.query(`SELECT id FROM reservation_item WHERE deleted_at IS NULL`)).rows.map((r) => r.id))
  } finally {
    await client.end()
  }
}

describe("network faults between the module and PostgreSQL", () => {
  it("direct: survives, bounds every wait, and never lies", async () => {
    await faultRun("direct")
  }, RUN_MS + 120_000)

  it("through PgBouncer in transaction mode: the same", async () => {
    await faultRun("pgbouncer")
  }, RUN_MS + 120_000)
})
