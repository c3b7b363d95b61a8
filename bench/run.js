#!/usr/bin/env node
// Side-by-side benchmark: this module, @medusajs/inventory@1.11.7 and hand-written SQL, on
// fresh databases, in one run. Several rounds in rotating order; medians, spread, ratios and
// SQL statements per operation. Writes bench/results/latest.{json,svg}.
//
//   npm run bench                       # default scale, 5 rounds
//   BENCH_SCALE=0.2 BENCH_ROUNDS=3 npm run bench
//   DATABASE_URL=postgres://... npm run bench   # else the embedded PostgreSQL (.embedded-postgres/)
//   npm run bench -- --quick            # a tenth of the data, one round (CI prints it)
//   BENCH_ONLY=W5-sku node --cpu-prof --cpu-prof-dir=bench/profiles bench/run.js   # where Node's time goes
require("reflect-metadata")
const fs = require("fs")
const os = require("os")
const path = require("path")
const pg = require("pg")
const { DataSource } = require("typeorm")
const { implementations, runOurMigrations, runBaseMigrations } = require("./implementations")
const { renderChart } = require("./chart")

// Set before main(): DATABASE_URL, or the embedded server's.
let SERVER_URL = process.env.DATABASE_URL
// --quick: a smoke run (a tenth of the data, one round) that CI prints; it asserts nothing.
const QUICK = process.argv.includes("--quick")
const SCALE = Number(process.env.BENCH_SCALE || (QUICK ? 0.1 : 1))
const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS || (QUICK ? 1 : 5)))
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(",") : undefined
const WORKERS = 16
// BENCH_CONTENDERS picks and orders them (default: all); "raw" is always measured, for the ratios.
const NAMES = (() => {
  const picked = (process.env.BENCH_CONTENDERS || "ours,ours-noledger,ours-unnamed,official,raw").split(",")
  return picked.includes("raw") ? picked : [...picked, "raw"]
})()
const LABELS = { base: "base (BENCH_BASE_DIST)", ours: "ours", "ours-noledger": "ours, ledger: false", "ours-unnamed": "ours, preparedStatements: false", official: "official 1.11.7", raw: "raw SQL" }

const n = (base) => Math.max(1, Math.round(base * SCALE))
const log = (message) => process.stderr.write(`${message}\n`)

// ---------------------------------------------------------------- statement counting
// Every contender talks to PostgreSQL through this one `pg`; counting its queries counts the
// statements each operation sends (BEGIN and COMMIT included).
let statements = 0
const originalQuery = pg.Client.prototype.query
pg.Client.prototype.query = function countingQuery(...args) {
  statements++
  return originalQuery.apply(this, args)
}

// ---------------------------------------------------------------- databases
function urlFor(name) {
  const url = new URL(SERVER_URL)
  url.pathname = `/${name}`
  return url.toString()
}

async function admin(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

async function freshDatabase(name, flavour) {
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await admin(`CREATE DATABASE "${name}"`)
  const url = urlFor(name)
  if (flavour === "official") {
    const migrations = require("@medusajs/inventory/dist/migrations").default
    const ds = new DataSource({ type: "postgres", url, migrations: migrations.flatMap((m) => Object.values(m)) })
    await ds.initialize()
    await ds.runMigrations()
    await ds.destroy()
  } else if (flavour === "base") {
    await runBaseMigrations(url)
  } else {
    await runOurMigrations(url)
  }
  return url
}

// ---------------------------------------------------------------- statistics
function median(values) {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2
}
function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b)
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]
}

// ---------------------------------------------------------------- data
function itemInput(i, everything) {
  const base = { sku: `SKU-${String(i).padStart(7, "0")}`, title: `Item ${i}` }
  if (!everything) return base
  return {
    ...base,
    origin_country: "DK",
    hs_code: "6109",
    mid_code: "MID",
    material: "cotton",
    weight: 200,
    length: 30,
    height: 2,
    width: 20,
    requires_shipping: true,
    description: `Description of item ${i}`,
    thumbnail: `https://example.invalid/${i}.png`,
    metadata: { i },
  }
}

/**
 * Seeds items and levels with plain SQL (the same rows in every contender's database). Every
 * 5th item's description says "limited edition" (20%: what `q` looks for). With `spread`, each
 * item has one level at one of `locations` locations; otherwise a level at each.
 */
async function seed(url, items, locations, spread = false) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(`TRUNCATE inventory_item, inventory_level, reservation_item`)
    const words = ["red", "blue", "green", "black", "white", "grey", "navy", "olive", "pink", "brown"]
    await client.query(
      `INSERT INTO inventory_item (id, sku, title, description, requires_shipping)
       SELECT 'iitem_' || lpad(g::text, 8, '0'), 'SKU-' || lpad(g::text, 7, '0'),
              (ARRAY[${words.map((w) => `'${w}'`).join(",")}])[1 + (g * 7) % 10] || ' shirt ' || g,
              CASE WHEN g % 5 = 0 THEN 'limited edition' ELSE 'regular' END, true
         FROM generate_series(1, $1) g`,
      [items]
    )
    await client.query(
      spread
        ? `INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity)
           SELECT 'ilev_' || lpad(g::text, 8, '0'), 'iitem_' || lpad(g::text, 8, '0'), 'loc_' || (1 + g % $2), 1000000
             FROM generate_series(1, $1) g`
        : `INSERT INTO inventory_level (id, inventory_item_id, location_id, stocked_quantity)
           SELECT 'ilev_' || lpad(g::text, 8, '0') || '_' || loc, 'iitem_' || lpad(g::text, 8, '0'), 'loc_' || loc, 1000000
             FROM generate_series(1, $1) g, generate_series(1, $2) loc`,
      [items, locations]
    )
    // As autovacuum leaves a settled table: statistics, and the visibility map that lets a count be served from an index alone.
    await client.query(`VACUUM ANALYZE`)
  } finally {
    await client.end()
  }
}

async function truncate(url) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`TRUNCATE inventory_item, inventory_level, reservation_item`)
  await client.end()
}

// ---------------------------------------------------------------- workloads
/** Node's own CPU time (user + system) in µs since `since`. */
function cpuSince(since) {
  const { user, system } = process.cpuUsage(since)
  return user + system
}

/** One timed call; returns { ms, statements, cpuUs } (cpuUs: Node CPU for the call, driver included). */
async function timeOnce(fn) {
  const before = statements
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  await fn()
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, statements: statements - before, cpuUs: cpuSince(cpu) }
}

/** `total` operations over `WORKERS` concurrent workers; ops/s, p99 and statements per op. */
async function throughput(total, op) {
  const latencies = []
  const before = statements
  let next = 0
  const cpu = process.cpuUsage()
  const start = process.hrtime.bigint()
  await Promise.all(
    Array.from({ length: WORKERS }, async () => {
      for (;;) {
        const i = next++
        if (i >= total) return
        const t = process.hrtime.bigint()
        await op(i)
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6)
      }
    })
  )
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  return {
    opsPerSecond: total / seconds,
    p99: percentile(latencies, 99),
    statementsPerOp: (statements - before) / total,
    cpuUs: cpuSince(cpu) / total,
  }
}

const WORKLOADS = [
  {
    id: "W1-items",
    label: `createInventoryItems, ${n(10000)} items in one call`,
    kind: "time",
    async prepare(url) {
      await truncate(url)
    },
    run: (impl) => impl.createItems(Array.from({ length: n(10000) }, (_, i) => itemInput(i, false))),
  },
  {
    id: "W1x-items-full",
    label: `createInventoryItems, ${n(50000)} items with every attribute`,
    kind: "time",
    async prepare(url) {
      await truncate(url)
    },
    run: (impl) => impl.createItems(Array.from({ length: n(50000) }, (_, i) => itemInput(i, true))),
  },
  {
    id: "W1-levels",
    label: `createInventoryLevels, ${n(10000)} levels in one call`,
    kind: "time",
    async prepare(url) {
      await seed(url, n(10000), 0)
    },
    run: (impl) =>
      impl.createLevels(
        Array.from({ length: n(10000) }, (_, i) => ({
          inventory_item_id: `iitem_${String(i + 1).padStart(8, "0")}`,
          location_id: "loc_new",
          stocked_quantity: 10,
        }))
      ),
  },
  {
    id: "W2-update-levels",
    label: `updateInventoryLevels, ${n(1000)} levels in one call`,
    kind: "time",
    async prepare(url) {
      await seed(url, n(1000), 1)
    },
    run: (impl) =>
      impl.updateLevels(
        Array.from({ length: n(1000) }, (_, i) => ({
          inventory_item_id: `iitem_${String(i + 1).padStart(8, "0")}`,
          location_id: "loc_1",
          stocked_quantity: 500 + (i % 7),
        }))
      ),
  },
  {
    id: "W3-checkout",
    label: `checkout (confirmInventory + createReservationItem), ${WORKERS} workers, ${n(1000)} items x 2 locations`,
    kind: "throughput",
    async prepare(url) {
      await seed(url, n(1000), 2)
    },
    run: (impl) =>
      throughput(n(3000), (i) =>
        impl.checkout(`iitem_${String(1 + ((i * 7919) % n(1000))).padStart(8, "0")}`, `loc_${1 + (i % 2)}`, `li_${i}`)
      ),
  },
  {
    id: "W4-hot-item",
    label: `checkout on one hot item, ${WORKERS} workers`,
    kind: "throughput",
    async prepare(url) {
      await seed(url, 10, 1)
    },
    run: (impl) => throughput(n(2000), (i) => impl.checkout("iitem_00000001", "loc_1", `li_${i}`)),
  },
  {
    id: "W5-sku",
    label: `listInventoryItems({ sku }) take 10, exact sku over ${n(100000)} items`,
    kind: "query",
    seedOnce: { items: n(100000), locations: 10, spread: true },
    run: (impl, rep) => impl.listSku(`SKU-${String(1 + ((rep * 7919) % n(100000))).padStart(7, "0")}`, 10),
  },
  {
    id: "W5-levels",
    label: `listInventoryLevels({ location_id }) take 50 skip 1000, ${n(100000)} levels (10% there)`,
    kind: "query",
    seedOnce: { items: n(100000), locations: 10, spread: true },
    run: (impl) => impl.listLevels("loc_1", Math.min(1000, n(1000)), 50),
  },
  {
    id: "W5-q",
    label: `listInventoryItems q over ${n(100000)} items (20% match) with count, take 50 skip 1000`,
    kind: "query",
    seedOnce: { items: n(100000), locations: 10, spread: true },
    run: (impl) => impl.listQ("limited", Math.min(1000, n(1000)), 50),
  },
  {
    id: "W5-location",
    label: `listInventoryItems location_id over ${n(100000)} items (10% there), take 50`,
    kind: "query",
    seedOnce: { items: n(100000), locations: 10, spread: true },
    run: (impl) => impl.listLocation("loc_1", 0, 50),
  },
  {
    id: "W5-skus",
    label: `listInventoryItems with ${n(2000)} skus`,
    kind: "query",
    seedOnce: { items: n(100000), locations: 10, spread: true },
    run: (impl) =>
      impl.listSkus(Array.from({ length: n(2000) }, (_, i) => `SKU-${String(1 + i * 37).padStart(7, "0")}`)),
  },
  {
    id: "W6-available",
    label: `retrieveAvailableQuantity, ${WORKERS} workers`,
    kind: "throughput",
    async prepare(url) {
      await seed(url, n(1000), 2)
    },
    run: (impl) =>
      throughput(n(8000), (i) =>
        impl.available(`iitem_${String(1 + ((i * 7919) % n(1000))).padStart(8, "0")}`, ["loc_1", "loc_2"])
      ),
  },
]

// ---------------------------------------------------------------- main
async function main() {
  const started = Date.now()
  const runId = `${process.pid}`
  const urls = {}
  log(`bench: scale ${SCALE}, ${ROUNDS} round(s), server ${new URL(SERVER_URL).host}`)
  for (const name of NAMES) {
    urls[name] = await freshDatabase(`mit_bench_${name}_${runId}`, name === "official" || name === "base" ? name : "ours")
  }
  const impls = {}
  for (const name of NAMES) impls[name] = await implementations[name](urls[name])

  const results = []
  const workloads = WORKLOADS.filter((w) => !ONLY || ONLY.includes(w.id))
  let seededFor
  try {
    for (const workload of workloads) {
      const samples = Object.fromEntries(NAMES.map((name) => [name, []]))
      const failures = {}
      if (workload.seedOnce && seededFor !== JSON.stringify(workload.seedOnce)) {
        log(`  seeding ${workload.seedOnce.items} items for ${workload.id}`)
        for (const name of NAMES) {
          await seed(urls[name], workload.seedOnce.items, workload.seedOnce.locations, workload.seedOnce.spread)
        }
        seededFor = JSON.stringify(workload.seedOnce)
      }
      for (let round = 0; round < ROUNDS; round++) {
        // Rotate who goes first, so caches and autovacuum favour no one.
        const order = NAMES.map((_, i) => NAMES[(i + round) % NAMES.length])
        for (const name of order) {
          if (failures[name]) continue
          log(`${workload.id} round ${round + 1}/${ROUNDS}: ${name}`)
          if (workload.prepare) await workload.prepare(urls[name])
          try {
            if (workload.kind === "time") {
              samples[name].push(await timeOnce(() => workload.run(impls[name])))
            } else if (workload.kind === "query") {
              // A short query is timed over many calls; a long one over 7.
              const reps = [await timeOnce(() => workload.run(impls[name], 0))]
              const count = reps[0].ms < 5 ? 200 : 7
              for (let r = 1; r < count; r++) reps.push(await timeOnce(() => workload.run(impls[name], r)))
              samples[name].push({
                ms: median(reps.map((s) => s.ms)),
                statements: reps[1] ? reps[1].statements : reps[0].statements,
                cpuUs: median(reps.map((s) => s.cpuUs)),
              })
            } else {
              samples[name].push(await workload.run(impls[name]))
            }
          } catch (error) {
            failures[name] = String(error && error.message ? error.message : error).split("\n")[0].slice(0, 160)
            log(`  ${name} failed: ${failures[name]}`)
          }
        }
      }
      results.push(summarise(workload, samples, failures))
      printRow(results[results.length - 1])
    }
  } finally {
    for (const name of NAMES) await impls[name].close()
    for (const name of NAMES) await admin(`DROP DATABASE IF EXISTS "mit_bench_${name}_${runId}" WITH (FORCE)`)
  }

  const report = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, cpu: os.cpus()[0] && os.cpus()[0].model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    postgres: await serverVersion(),
    scale: SCALE,
    quick: QUICK,
    rounds: ROUNDS,
    workers: WORKERS,
    seconds: Math.round((Date.now() - started) / 1000),
    results,
  }
  const dir = path.join(__dirname, "results")
  fs.mkdirSync(dir, { recursive: true })
  // A quick run is a smoke run, and a run of some workloads a partial one: both leave the full
  // run's results (the README's) alone.
  const stem = QUICK ? "quick" : ONLY ? "partial" : "latest"
  fs.writeFileSync(path.join(dir, `${stem}.json`), JSON.stringify(report, null, 2) + "\n")
  fs.writeFileSync(path.join(dir, `${stem}.svg`), renderChart(report))
  console.log("")
  console.log(markdownTable(report))
  log(`\nbench: done in ${report.seconds}s; wrote bench/results/${stem}.json and ${stem}.svg`)
}

async function serverVersion() {
  const client = new pg.Client({ connectionString: SERVER_URL })
  await client.connect()
  const { rows } = await client.query("SHOW server_version")
  await client.end()
  return rows[0].server_version
}

function summarise(workload, samples, failures) {
  const entry = { id: workload.id, label: workload.label, kind: workload.kind, contenders: {} }
  for (const name of NAMES) {
    const s = samples[name]
    if (failures[name] && !s.length) {
      entry.contenders[name] = { failed: failures[name] }
      continue
    }
    if (workload.kind === "throughput") {
      const ops = s.map((x) => x.opsPerSecond)
      entry.contenders[name] = {
        opsPerSecond: median(ops),
        spread: [Math.min(...ops), Math.max(...ops)],
        p99ms: median(s.map((x) => x.p99)),
        statementsPerOp: median(s.map((x) => x.statementsPerOp)),
        cpuUs: median(s.map((x) => x.cpuUs)),
      }
    } else {
      const ms = s.map((x) => x.ms)
      entry.contenders[name] = {
        ms: median(ms),
        spread: [Math.min(...ms), Math.max(...ms)],
        statements: median(s.map((x) => x.statements)),
        cpuUs: median(s.map((x) => x.cpuUs)),
      }
    }
  }
  // Ratios: time against raw SQL (lower is better); for throughput, raw ops/s over ours.
  const cost = (c) => (!c || c.failed ? undefined : workload.kind === "throughput" ? 1 / c.opsPerSecond : c.ms)
  const raw = cost(entry.contenders.raw)
  for (const name of NAMES.filter((n) => n !== "raw")) {
    const c = cost(entry.contenders[name])
    if (c !== undefined && raw) entry.contenders[name].xRaw = c / raw
  }
  const o = cost(entry.contenders.ours)
  const off = cost(entry.contenders.official)
  if (o && off) entry.speedupOverOfficial = off / o
  return entry
}

const fmt = (v, digits = 1) => (v === undefined ? "—" : v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(digits))

function cell(c, kind) {
  if (!c) return "—"
  if (c.failed) return `fails: ${c.failed.slice(0, 60)}`
  return kind === "throughput"
    ? `${fmt(c.opsPerSecond)} ops/s, p99 ${fmt(c.p99ms)} ms, ${fmt(c.statementsPerOp)} stmt/op, ${fmt(c.cpuUs, 0)} µs CPU/op`
    : `${fmt(c.ms, c.ms < 10 ? 2 : 1)} ms (${fmt(c.spread[0])}–${fmt(c.spread[1])}), ${c.statements} stmt, ${fmt(c.cpuUs, 0)} µs CPU`
}

function printRow(entry) {
  log(`  => ${entry.id}: ${NAMES.map((name) => `${name} ${cell(entry.contenders[name], entry.kind)}`).join(" | ")}`)
}

function speedup(x) {
  if (!x) return "—"
  return x >= 1 ? `${fmt(x, 1)}× faster` : `${fmt(1 / x, 1)}× slower`
}

function markdownTable(report) {
  const names = NAMES.filter((n) => report.results.some((e) => e.contenders[n]))
  const rated = names.filter((n) => n !== "raw")
  const lines = [
    `| workload | ${names.map((n) => LABELS[n]).join(" | ")} | ${rated.map((n) => `${LABELS[n]} × raw`).join(" | ")} | ours vs official |`,
    `|---|${names.map(() => "---").join("|")}|${rated.map(() => "---").join("|")}|---|`,
  ]
  for (const e of report.results) {
    const c = e.contenders
    lines.push(
      `| ${e.id}: ${e.label} | ${names.map((n) => cell(c[n], e.kind)).join(" | ")} | ${rated.map((n) => fmt(c[n] && c[n].xRaw, 2)).join(" | ")} | ${speedup(e.speedupOverOfficial)} |`
    )
  }
  return lines.join("\n")
}

async function withServer(fn) {
  if (SERVER_URL) return fn()
  const { startEmbeddedPostgres } = require("../dist/src/tools/embedded-postgres")
  const server = await startEmbeddedPostgres({ dir: path.join(__dirname, "..", ".embedded-postgres"), onStatus: (line) => log(`bench: ${line}`) })
  SERVER_URL = server.url()
  try {
    return await fn()
  } finally {
    await server.stop()
  }
}

withServer(main).catch((error) => {
  console.error(`bench: ${error && error.stack ? error.stack : error}`)
  process.exit(1)
})
