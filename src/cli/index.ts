#!/usr/bin/env node
import "reflect-metadata"
import { SingleBar, Presets } from "cli-progress"
import { Command, Option } from "commander"
import type { DataSource } from "typeorm"
import { DoctorReport, runDoctor, unresolvedProblems } from "../doctor"
import { buildDataSource } from "../loaders/connection"
import { revertMigration, runMigrations } from "../migrations-runner"
import { formatSimulation, simulateCheckouts } from "../simulate"

/**
 * `medusa-inventory`: maintenance commands for the inventory tables of a Medusa database.
 * Human output by default, `--json` for scripts; a one-line reason and a non-zero exit on failure.
 */

interface CommonOptions {
  databaseUrl?: string
  json?: boolean
}

class CliError extends Error {}

function databaseUrl(options: CommonOptions): string {
  const url = options.databaseUrl ?? process.env.DATABASE_URL
  if (!url) {
    throw new CliError("no database: pass --database-url or set DATABASE_URL")
  }
  return url
}

async function withDataSource<T>(options: CommonOptions, fn: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = buildDataSource({ url: databaseUrl(options) })
  await dataSource.initialize()
  try {
    return await fn(dataSource)
  } finally {
    await dataSource.destroy()
  }
}

function silentLogger(json: boolean | undefined) {
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
  console.log(lines.join("\n"))
}

export function buildProgram(): Command {
  const program = new Command()
  program
    .name("medusa-inventory")
    .description("Tools for the inventory tables of medusa-inventory-typeorm: migrate, doctor, simulate, demo")
    .showHelpAfterError()

  const common = (command: Command) =>
    command
      .addOption(new Option("--database-url <url>", "PostgreSQL URL").env("DATABASE_URL"))
      .option("--json", "print JSON instead of text")
  // simulate and demo: common options plus the size of the run.
  const checkoutRun = (command: Command) =>
    common(command)
      .option("-n, --checkouts <n>", "number of concurrent checkouts", positiveNumber, 50)
      .option("--stock <n>", "units in stock before the checkouts", positiveNumber, 10)

  common(program.command("migrate").description("apply the module's migrations")).action(async (options: CommonOptions) => {
    await runMigrations({ options: { database: { url: databaseUrl(options) } }, logger: silentLogger(options.json) })
    if (options.json) console.log(JSON.stringify({ ok: true }))
  })

  common(program.command("revert").description("revert the module's last migration")).action(async (options: CommonOptions) => {
    await revertMigration({ options: { database: { url: databaseUrl(options) } }, logger: silentLogger(options.json) })
    if (options.json) console.log(JSON.stringify({ ok: true }))
  })

  common(
    program
      .command("doctor")
      .description("report reserved-quantity drift, orphan reservations and negative availability")
      .option("--fix", "set reserved_quantity to the sum of live reservations, in one transaction")
  ).action(async (options: CommonOptions & { fix?: boolean }) => {
    const report = await withDataSource(options, async (dataSource) => {
      const bar = options.json || !process.stderr.isTTY ? undefined : new SingleBar({ clearOnComplete: true }, Presets.shades_classic)
      let started = false
      const result = await runDoctor(dataSource, {
        fix: options.fix,
        onProgress: (done, total) => {
          if (!bar || total < 20000) return
          if (!started) {
            bar.start(total, 0)
            started = true
          }
          bar.update(done)
        },
      })
      if (started) bar?.stop()
      return result
    })
    if (options.json) {
      console.log(JSON.stringify(report, null, 2))
    } else {
      printDoctor(report, options.fix === true)
    }
    const unresolved = unresolvedProblems(report)
    if (unresolved > 0) {
      process.exitCode = 1
      if (!options.json) console.error(`medusa-inventory doctor: ${unresolved} problem(s) left unfixed`)
    }
  })

  checkoutRun(
    program
      .command("simulate")
      .description("run concurrent checkouts against one item and show stock before and after")
      .option("--strict", "turn on strictReservations (the oversell guard)")
  ).action(async (options: CommonOptions & { checkouts: number; stock: number; strict?: boolean }) => {
    const result = await withDataSource(options, async (dataSource) => {
      await runMigrations({ options: { database: { url: databaseUrl(options) } } })
      return simulateCheckouts(dataSource, withProgress(options, { checkouts: options.checkouts, stock: options.stock, strict: options.strict === true }))
    })
    console.log(options.json ? JSON.stringify(result, null, 2) : formatSimulation(result))
    if (result.failed > 0) process.exitCode = 1
  })

  checkoutRun(
    program
      .command("demo")
      .description("make a demo database, then simulate checkouts without and with the oversell guard")
  ).action(async (options: CommonOptions & { checkouts: number; stock: number }) => {
    const server = new URL(options.databaseUrl ?? process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres")
    const demo = new URL(server.toString())
    demo.pathname = "/medusa_inventory_demo"
    const admin = buildDataSource({ url: server.toString() })
    await admin.initialize()
    try {
      const [exists] = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'medusa_inventory_demo'`)
      if (!exists) await admin.query(`CREATE DATABASE medusa_inventory_demo`)
    } finally {
      await admin.destroy()
    }
    if (!options.json) console.log(`Demo database: ${demo.toString().replace(/\/\/[^@]*@/, "//")}\n`)
    const url = demo.toString()
    await runMigrations({ options: { database: { url } } })
    const results = await withDataSource({ databaseUrl: url }, async (dataSource) => {
      const lenient = await simulateCheckouts(dataSource, withProgress(options, { checkouts: options.checkouts, stock: options.stock, strict: false }))
      const strict = await simulateCheckouts(dataSource, withProgress(options, { checkouts: options.checkouts, stock: options.stock, strict: true }))
      return [lenient, strict]
    })
    if (options.json) {
      console.log(JSON.stringify(results, null, 2))
      return
    }
    console.log(results.map(formatSimulation).join("\n\n"))
    console.log(
      "\nWithout the guard every checkout reserves (Medusa's default: backorders allowed), exactly and" +
        "\nwithout drift; with strictReservations no unit is oversold. Try: medusa-inventory simulate --help"
    )
  })

  return program
}

function positiveNumber(value: string): number {
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0) throw new CliError(`expected a non-negative integer, got "${value}"`)
  return n
}

/** A progress bar on stderr for runs long enough to want one (and a terminal to show it). */
function withProgress<T extends object>(options: CommonOptions, simulation: T & { checkouts: number }) {
  if (options.json || !process.stderr.isTTY || simulation.checkouts < 500) return simulation
  const bar = new SingleBar({ clearOnComplete: true }, Presets.shades_classic)
  bar.start(simulation.checkouts, 0)
  return {
    ...simulation,
    onProgress: (done: number, total: number) => {
      bar.update(done)
      if (done === total) bar.stop()
    },
  }
}

export async function main(argv: string[] = process.argv): Promise<void> {
  try {
    await buildProgram().parseAsync(argv)
  } catch (error) {
    const message = error instanceof Error ? error.message.split("\n")[0] : String(error)
    console.error(`medusa-inventory: ${message}`)
    process.exitCode = process.exitCode || 1
  }
}

if (require.main === module) {
  void main()
}
