/**
 * The process that connection-loss.spec.ts watches, shaped as a new user would write it:
 * several module instances in one process, each `initialize()`d in isolated mode on one
 * primary (one with a read replica, one with `lockTimeoutMs`, one with a pool that grows from
 * nothing). Each round fires a burst of 300 calls, 20 at a time, 10 ms apart
 * (`adjustInventory(+1)`, `createReservationItem(quantity 1)`, `retrieveAvailableQuantity` in
 * turn), and the round's fault strikes during it:
 *
 * - `restart`: `pg_ctl -m fast restart` of the primary, 150 ms in;
 * - `terminate`: `pg_terminate_backend` of every module connection, 150 ms in;
 * - `grow`: the pools have shrunk to nothing (idle clients closed), and the restart comes
 *   while the burst's first connections are still being made;
 * - `shared`: as `grow`, with the modules in shared mode on a host's DataSource (Medusa's
 *   default), whose pool the host guarded as docs/deployment.md says (`guardPool`).
 *
 * After the fault, every module must serve again. The process prints one JSON report as its
 * last line and exits 0; an uncaught exception or unhandled rejection is reported and exits 2
 * (today's failure was an `Unhandled 'error' event` on a pg Client: the process died).
 *
 * Runs the built package (`npm test` builds it first). Config: FAULT_CHILD (JSON).
 */
const { execFile } = require("child_process")
const path = require("path")
const { Client } = require("pg")
const pkg = require(path.resolve(__dirname, "../../dist/src"))
const { initialize, runMigrations, guardPool, InventoryService } = pkg

const config = JSON.parse(process.env.FAULT_CHILD || "{}")
const { url, replicaUrl, fault, restartCommand, rounds = 3 } = config
const report = { fault, rounds: [], uncaught: [], recoveredMs: [] }

function finish(code) {
  process.stdout.write(`\n${JSON.stringify(report)}\n`)
  process.exit(code)
}
process.on("uncaughtException", (error) => {
  report.uncaught.push(`uncaughtException: ${error && error.stack ? error.stack : String(error)}`)
  finish(2)
})
process.on("unhandledRejection", (error) => {
  report.uncaught.push(`unhandledRejection: ${error && error.stack ? error.stack : String(error)}`)
  finish(2)
})

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

function restart() {
  return new Promise((resolve, reject) => {
    execFile(restartCommand[0], restartCommand.slice(1), (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout)))
  })
}

async function terminateAll() {
  const admin = new Client({ connectionString: url })
  admin.on("error", () => undefined)
  await admin.connect()
  try {
    const { rows } = await admin.query(
      `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'`
    )
    return rows[0].n
  } finally {
    await admin.end()
  }
}

/** One outcome, as the spec judges it: ok, or the error's class, type, code and message. */
function outcomeOf(kind, error) {
  if (!error) return { kind, ok: true }
  return {
    kind,
    ok: false,
    medusa: Boolean(error.__isMedusaError),
    type: error.type,
    code: error.code,
    message: String(error.message).slice(0, 300),
  }
}

async function main() {
  await runMigrations({ options: { database: { url } } })
  let modules
  let host
  if (fault === "shared") {
    // The host's DataSource, as Medusa makes it, with the module's models and its pool guarded.
    const { DataSource } = require("typeorm")
    host = new DataSource({ type: "postgres", url, entities: pkg.default.models, extra: { max: 20, idleTimeoutMillis: 100 } })
    await host.initialize()
    guardPool(host.driver.master)
    modules = [new InventoryService({ manager: host.manager }, {}), new InventoryService({ manager: host.manager }, { lockTimeoutMs: 2000 })]
  } else {
    modules = [
      await initialize({ database: { url } }),
      await initialize({ database: { url }, lockTimeoutMs: 2000 }),
      await initialize({ database: { url }, replicas: [replicaUrl], replicaCheckIntervalMs: 100 }),
      // Idle clients are closed after 100 ms: before each `grow` round this pool is empty.
      await initialize({ database: { url, extra: { max: 20, idleTimeoutMillis: 100 } } }),
    ]
  }
  const items = []
  for (let m = 0; m < modules.length; m++) {
    const item = await modules[m].createInventoryItem({ sku: `FAULT-${fault}-${m}` })
    await modules[m].createInventoryLevel({ inventory_item_id: item.id, location_id: "loc", stocked_quantity: 1000000 })
    items.push(item.id)
  }
  report.items = items

  for (let round = 0; round < rounds; round++) {
    const growing = fault === "grow" || fault === "shared"
    if (growing) await sleep(400)
    const outcomes = []
    const pending = []
    let faultDone
    const strike = async () => {
      if (fault === "terminate") return { terminated: await terminateAll() }
      await restart()
      return {}
    }
    const faultAt = growing ? 0 : 150
    const faultTimer = new Promise((resolve) => setTimeout(resolve, faultAt)).then(strike).then(
      (info) => (faultDone = info),
      (error) => (faultDone = { error: String(error) })
    )
    for (let n = 0; n < 300; n++) {
      const m = n % modules.length
      const mod = modules[m]
      const item = items[m]
      const kind = ["adjust", "reserve", "available"][Math.floor(n / modules.length) % 3]
      const call =
        kind === "adjust"
          ? mod.adjustInventory(item, "loc", 1)
          : kind === "reserve"
            ? mod.createReservationItem({ inventory_item_id: item, location_id: "loc", quantity: 1, line_item_id: `li_${round}_${n}` })
            : mod.retrieveAvailableQuantity(item, ["loc"])
      pending.push(
        call.then(
          () => outcomes.push({ ...outcomeOf(kind), module: m }),
          (error) => outcomes.push({ ...outcomeOf(kind, error), module: m })
        )
      )
      if (n % 20 === 19) await sleep(10)
    }
    await Promise.all(pending)
    await faultTimer
    // Every module serves again: a whole round trip on each, retried until it succeeds.
    const started = Date.now()
    for (let m = 0; m < modules.length; m++) {
      for (;;) {
        try {
          await modules[m].adjustInventory(items[m], "loc", 1)
          outcomes.push({ kind: "adjust", ok: true, module: m, after: true })
          await modules[m].retrieveAvailableQuantity(items[m], ["loc"])
          break
        } catch (error) {
          if (Date.now() - started > 30000) throw error
          await sleep(50)
        }
      }
    }
    report.recoveredMs.push(Date.now() - started)
    report.rounds.push({ fault: faultDone, outcomes })
  }
  for (const mod of modules) await mod.__hooks.onApplicationShutdown()
  if (host) await host.destroy()
  finish(0)
}

main().catch((error) => {
  report.uncaught.push(`main failed: ${error && error.stack ? error.stack : String(error)}`)
  finish(3)
})
