import { createHash } from "crypto"
import { CsvError, parse } from "csv-parse/sync"
import { MedusaError } from "@medusajs/utils"
import type { InventoryError } from "../utils/errors"
import { INT_MAX } from "../utils/validation"
import type { StockContext } from "./context"
import { levelKey } from "./locking"

/**
 * Cycle counts from a CSV file: its rows parsed and checked (csv-parse, line numbers kept),
 * resolved against the items and levels, and compared with the stocked quantities (the diff).
 * Applying a count is `setStockedQuantities` with compare-and-set against the quantities the
 * diff showed, reason `cycle_count`, and the file's hash as the idempotency key (see the
 * facade's `applyStockCount`).
 *
 * Columns (a header row names them, in any order; others are ignored): `sku` or
 * `inventory_item_id` (or both, which must then name the same item), `location_id`, `counted`.
 */

/** At most this many rows in one count (a statement's arrays; a count file of a warehouse is far smaller). */
export const MAX_COUNT_ROWS = 200_000

export interface CountRow {
  /** The file's line the row is on (the header is line 1). */
  line: number
  sku?: string
  inventory_item_id?: string
  location_id: string
  counted: number
}

export interface CountProblem {
  line: number
  message: string
}

/** One row of a count's diff. */
export interface CountDiffRow {
  line: number
  sku: string | null
  inventory_item_id: string
  location_id: string
  /** The level's stocked quantity when the diff was made. */
  current: number
  counted: number
  delta: number
}

/** The hex SHA-256 of a count file: its idempotency key, once prefixed. */
export function fileHash(csv: string | Buffer): string {
  return createHash("sha256").update(csv).digest("hex")
}

export const countIdempotencyKey = (hash: string) => `stock-count:${hash}`

/** INVALID_DATA listing the bad rows by line (the first 20 in the message, every one in `data.errors`). */
export function badCountRows(problems: CountProblem[]): InventoryError<{ errors: CountProblem[] }> {
  const shown = problems.slice(0, 20).map((p) => `line ${p.line}: ${p.message}`)
  const more = problems.length > 20 ? `; and ${problems.length - 20} more` : ""
  const error = new MedusaError(
    MedusaError.Types.INVALID_DATA,
    `The count file has ${problems.length} bad row(s), nothing was written: ${shown.join("; ")}${more}`
  ) as InventoryError<{ errors: CountProblem[] }>
  error.data = { errors: problems }
  return error
}

const COUNT = /^\d+$/

/** The rows of a count file, or the problems of its bad rows (with line numbers). */
export function parseCountCsv(csv: string): { rows: CountRow[]; problems: CountProblem[] } {
  let records: { record: Record<string, string | undefined>; info: { lines: number } }[]
  let header: string[] = []
  try {
    records = parse(csv, {
      bom: true,
      columns: (names: string[]) => (header = names.map((h) => h.trim().toLowerCase())),
      info: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    }) as typeof records
  } catch (error) {
    if (error instanceof CsvError) {
      const line = (error as CsvError & { lines?: number }).lines ?? 1
      return { rows: [], problems: [{ line, message: `not a readable CSV row (${error.message.replace(/^Invalid [^:]*: /, "")})` }] }
    }
    throw error
  }
  const missing = ["location_id", "counted"].filter((column) => !header.includes(column))
  if (!header.includes("sku") && !header.includes("inventory_item_id")) missing.unshift("sku or inventory_item_id")
  if (missing.length) return { rows: [], problems: [{ line: 1, message: `the header lacks the column(s) ${missing.join(", ")}` }] }
  if (!records.length) return { rows: [], problems: [{ line: 1, message: "the file has no rows to count" }] }
  if (records.length > MAX_COUNT_ROWS) return { rows: [], problems: [{ line: 1, message: `the file has ${records.length} rows, more than ${MAX_COUNT_ROWS}` }] }

  const rows: CountRow[] = []
  const problems: CountProblem[] = []
  for (const { record, info } of records) {
    const line = info.lines
    const sku = record.sku || undefined
    const itemId = record.inventory_item_id || undefined
    const location = record.location_id || undefined
    const counted = record.counted
    const own: string[] = []
    if (!sku && !itemId) own.push(`"sku" or "inventory_item_id" is missing`)
    if (!location) own.push(`"location_id" is missing`)
    if (counted === undefined || counted === "") own.push(`"counted" is missing`)
    else if (!COUNT.test(counted) || Number(counted) > INT_MAX) own.push(`"counted" must be a non-negative integer (got ${JSON.stringify(counted)})`)
    if (own.length) {
      problems.push({ line, message: own.join(", ") })
      continue
    }
    rows.push({ line, sku, inventory_item_id: itemId, location_id: location!, counted: Number(counted) })
  }
  return { rows, problems }
}

/**
 * The diff of checked rows against the live items and levels, in one statement: each row's
 * item (by id, or by the sku of a live item) and its level's stocked quantity. Rows naming an
 * unknown item, a location the item is not stocked at, a level another row counts already, or
 * an id and a sku of different items are problems.
 */
export async function diffCount(ctx: StockContext, rows: CountRow[]): Promise<{ diff: CountDiffRow[]; problems: CountProblem[] }> {
  const found = await ctx.db.rows<{ n: number; item_id: string | null; item_sku: string | null; sku_item: string | null; stocked: number | null }>(
    `WITH input AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS u(sku, item_id, location_id, n)
     ),
     resolved AS (
       SELECT i.n, i.location_id, by_id.id AS item_id, by_id.sku AS item_sku, by_sku.id AS sku_item
         FROM input i
         LEFT JOIN inventory_item by_id ON by_id.id = i.item_id AND by_id.deleted_at IS NULL
         LEFT JOIN inventory_item by_sku ON by_sku.sku = i.sku AND by_sku.deleted_at IS NULL
     )
     SELECT r.n, r.item_id, r.item_sku, r.sku_item, l.stocked_quantity AS stocked
       FROM resolved r
       LEFT JOIN inventory_level l ON l.inventory_item_id = COALESCE(r.item_id, r.sku_item) AND l.location_id = r.location_id AND l.deleted_at IS NULL
      ORDER BY r.n`,
    [rows.map((r) => r.sku ?? null), rows.map((r) => r.inventory_item_id ?? null), rows.map((r) => r.location_id)]
  )
  const diff: CountDiffRow[] = []
  const problems: CountProblem[] = []
  const seen = new Map<string, number>()
  found.forEach((f, i) => {
    const row = rows[i]
    if (row.inventory_item_id && !f.item_id) return problems.push({ line: row.line, message: `unknown inventory_item_id "${row.inventory_item_id}"` })
    if (row.sku && !f.sku_item && !row.inventory_item_id) return problems.push({ line: row.line, message: `unknown sku "${row.sku}"` })
    if (row.sku && row.inventory_item_id && f.sku_item !== f.item_id) {
      return problems.push({ line: row.line, message: `sku "${row.sku}" is not the sku of ${row.inventory_item_id}` })
    }
    const itemId = (f.item_id ?? f.sku_item)!
    if (f.stocked === null) return problems.push({ line: row.line, message: `item ${row.sku ?? itemId} is not stocked at location ${row.location_id}` })
    const key = levelKey(itemId, row.location_id)
    const first = seen.get(key)
    if (first !== undefined) return problems.push({ line: row.line, message: `counts the level of line ${first} again (${row.sku ?? itemId} at ${row.location_id})` })
    seen.set(key, row.line)
    diff.push({
      line: row.line,
      sku: f.item_sku ?? row.sku ?? null,
      inventory_item_id: itemId,
      location_id: row.location_id,
      current: f.stocked,
      counted: row.counted,
      delta: row.counted - f.stocked,
    })
  })
  return { diff, problems }
}

export interface StaleCountRow {
  line: number
  sku: string | null
  inventory_item_id: string
  location_id: string
  /** What the diff showed. */
  expected: number
  /** What the level holds now. */
  current: number
}

/** A count applied against quantities that changed since its diff: CONFLICT naming the rows, nothing written. */
export function staleCount(rows: StaleCountRow[]): InventoryError<{ rows: StaleCountRow[] }> {
  const shown = rows.slice(0, 20).map((r) => `line ${r.line} (${r.sku ?? r.inventory_item_id} at ${r.location_id}): the diff showed ${r.expected}, it is now ${r.current}`)
  const error = new MedusaError(
    MedusaError.Types.CONFLICT,
    `The stock changed since the count's diff, nothing was written: ${shown.join("; ")}${rows.length > 20 ? `; and ${rows.length - 20} more` : ""}. ` +
      `Make the diff again and check it.`
  ) as InventoryError<{ rows: StaleCountRow[] }>
  error.data = { rows }
  return error
}
