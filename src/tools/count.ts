import fs from "fs"
import type { DataSource } from "typeorm"
import InventoryService, { StockCountResult } from "../services/inventory"
import type { CountDiffRow, CountProblem, StaleCountRow } from "../stock/counts"
import { fileHash } from "../stock/counts"

/**
 * `medusa-inventory count import FILE.csv`: the dry run prints the count's diff and saves it
 * beside the file (`FILE.csv.diff.json`, or `--diff PATH`); `--apply` applies the file against
 * the quantities that saved diff showed (compare-and-set), in one transaction, once per file.
 */

export class CountError extends Error {
  constructor(
    message: string,
    /** Lines printed before the one-line reason: the bad rows, or the stale ones. */
    readonly details: string[] = [],
    readonly data?: unknown
  ) {
    super(message)
  }
}

/** What the dry run saves: the rows' levels and the quantities the diff showed. */
export interface SavedDiff {
  file: string
  file_hash: string
  created_at: string
  rows: Pick<CountDiffRow, "line" | "inventory_item_id" | "location_id" | "current">[]
}

export interface CountDiffReport {
  file: string
  file_hash: string
  diff_file: string
  rows: CountDiffRow[]
}

export const defaultDiffFile = (file: string) => `${file}.diff.json`

function readCsv(file: string): string {
  try {
    return fs.readFileSync(file, "utf8")
  } catch (error) {
    throw new CountError(`cannot read ${file}: ${(error as Error).message}`)
  }
}

/** The service's refusals as the command reports them: one line per bad or stale row. */
function explain(error: unknown): never {
  const data = (error as { data?: { errors?: CountProblem[]; rows?: StaleCountRow[]; idempotency_key?: string } }).data
  if (data?.idempotency_key) {
    throw new CountError(
      `this file was applied before, against other quantities (idempotency key ${data.idempotency_key}); nothing was written. ` +
        `A new count needs a new file: the file's hash is its idempotency key`
    )
  }
  const message = (error as Error).message
  if (data?.errors) {
    throw new CountError(`${data.errors.length} bad row(s); nothing was written`, data.errors.map((p) => `line ${p.line}: ${p.message}`), data)
  }
  if (data?.rows) {
    throw new CountError(
      `${data.rows.length} row(s) changed since the diff; nothing was written. Run the dry run again and check the diff`,
      data.rows.map((r) => `line ${r.line}: ${r.sku ?? r.inventory_item_id} at ${r.location_id}: the diff showed ${r.expected}, it is now ${r.current}`),
      data
    )
  }
  throw new CountError(message.split("\n")[0])
}

export async function previewCount(dataSource: DataSource, file: string, diffFile = defaultDiffFile(file)): Promise<CountDiffReport> {
  const csv = readCsv(file)
  const service = new InventoryService({ manager: dataSource.manager })
  const diff = await service.previewStockCount(csv).catch(explain)
  const saved: SavedDiff = {
    file,
    file_hash: diff.file_hash,
    created_at: new Date().toISOString(),
    rows: diff.rows.map(({ line, inventory_item_id, location_id, current }) => ({ line, inventory_item_id, location_id, current })),
  }
  fs.writeFileSync(diffFile, JSON.stringify(saved))
  return { file, file_hash: diff.file_hash, diff_file: diffFile, rows: diff.rows }
}

export async function applyCount(dataSource: DataSource, file: string, diffFile = defaultDiffFile(file)): Promise<StockCountResult> {
  const csv = readCsv(file)
  let saved: SavedDiff
  try {
    saved = JSON.parse(fs.readFileSync(diffFile, "utf8")) as SavedDiff
  } catch {
    throw new CountError(`no diff of ${file} at ${diffFile}: run \`medusa-inventory count import ${file}\` first, check its diff, then add --apply`)
  }
  if (saved.file_hash !== fileHash(csv)) {
    throw new CountError(`${file} changed since its diff (${diffFile}): run the dry run again and check the diff`)
  }
  const service = new InventoryService({ manager: dataSource.manager })
  return await service
    .applyStockCount(csv, { expected: saved.rows.map((row) => row.current), actor: "medusa-inventory count import", reference: `count:${saved.file_hash.slice(0, 12)}` })
    .catch(explain)
}

const signed = (n: number) => (n > 0 ? `+${n}` : String(n))

/** The diff as a table: the rows that change (all with `all`), and a summary. */
export function formatDiff(report: CountDiffReport, all = false): string {
  const changes = report.rows.filter((r) => r.delta !== 0)
  const shown = all ? report.rows : changes
  const header = ["LINE", "SKU", "LOCATION", "CURRENT", "COUNTED", "DELTA"]
  const cells = shown.map((r) => [String(r.line), r.sku ?? r.inventory_item_id, r.location_id, String(r.current), String(r.counted), signed(r.delta)])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)))
  const right = [true, false, false, true, true, true]
  const line = (c: string[]) => c.map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join("  ").trimEnd()
  const up = changes.filter((r) => r.delta > 0).reduce((n, r) => n + r.delta, 0)
  const down = changes.filter((r) => r.delta < 0).reduce((n, r) => n + r.delta, 0)
  const lines = [`Count of ${report.file}: ${report.rows.length} row(s), ${changes.length} change(s) (${signed(up)} / ${down} units).`]
  if (shown.length) lines.push(line(header), ...cells.map(line))
  if (!all && report.rows.length > changes.length) lines.push(`${report.rows.length - changes.length} unchanged row(s) not shown (--all shows them).`)
  lines.push(`Dry run: nothing was written. The diff is saved in ${report.diff_file}; apply it with:`)
  lines.push(`  medusa-inventory count import ${report.file} --apply`)
  return lines.join("\n")
}

export function formatApplied(file: string, result: StockCountResult): string {
  if (result.replayed) return `${file} was applied before with these quantities (idempotency key ${result.idempotency_key}): nothing was written.`
  return `Applied the count of ${file}: ${result.rows} row(s), ${result.changed} level(s) changed (reason cycle_count, idempotency key ${result.idempotency_key}).`
}
