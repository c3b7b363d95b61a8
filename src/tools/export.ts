import fs from "fs"
import { once } from "events"
import type { Writable } from "stream"
import { stringify } from "csv-stringify/sync"
import { Client } from "pg"
import Cursor from "pg-cursor"

/**
 * `medusa-inventory export`: every live level (sku, location, stocked, reserved, incoming,
 * available, and the units set aside), as CSV or JSON, in constant memory. The rows come
 * through a server-side cursor (`pg-cursor`: the extended protocol's portal, read `batch` rows
 * at a time), each batch written before the next is read, and writing waits for the output
 * to drain, so a slow pipe holds the reading back instead of filling memory.
 */

export type ExportFormat = "csv" | "json"

export interface ExportOptions {
  url: string
  location?: string
  format: ExportFormat
  /** Rows per fetch from the cursor. */
  batch?: number
}

export const EXPORT_COLUMNS = [
  "sku",
  "inventory_item_id",
  "location_id",
  "stocked",
  "reserved",
  "incoming",
  "available",
  "damaged",
  "quality_control",
  "safety_stock",
] as const

interface ExportRow {
  sku: string | null
  inventory_item_id: string
  location_id: string
  stocked: number
  reserved: number
  incoming: number
  available: number
  damaged: number
  quality_control: number
  safety_stock: number
}

const SQL = `
  SELECT i.sku, l.inventory_item_id, l.location_id, l.stocked_quantity AS stocked, l.reserved_quantity AS reserved,
         l.incoming_quantity AS incoming, l.stocked_quantity - l.reserved_quantity AS available, l.damaged_quantity AS damaged,
         l.quality_control_quantity AS quality_control, l.safety_stock_quantity AS safety_stock
    FROM inventory_level l
    JOIN inventory_item i ON i.id = l.inventory_item_id
   WHERE l.deleted_at IS NULL AND ($1::text IS NULL OR l.location_id = $1::text)
   ORDER BY l.location_id, l.inventory_item_id`

async function write(out: Writable, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain")
}

function jsonRow(row: ExportRow): string {
  const { damaged, quality_control, safety_stock, ...rest } = row
  return JSON.stringify({ ...rest, unavailable: { damaged, quality_control, safety_stock } })
}

/** Streams the levels to `out`; the number of rows written. */
export async function exportLevels(options: ExportOptions, out: Writable): Promise<number> {
  const client = new Client({ connectionString: options.url })
  client.on("error", () => undefined) // a lost connection fails the read below instead
  await client.connect()
  const batch = options.batch ?? 1000
  let rows = 0
  try {
    // A cursor's portal lives in a transaction (also behind a transaction-mode pooler).
    await client.query("BEGIN READ ONLY")
    const cursor = client.query(new Cursor<ExportRow>(SQL, [options.location ?? null]))
    if (options.format === "csv") await write(out, stringify([[...EXPORT_COLUMNS]]))
    else await write(out, "[")
    for (;;) {
      const page = await cursor.read(batch)
      if (!page.length) break
      if (options.format === "csv") {
        await write(out, stringify(page.map((row) => EXPORT_COLUMNS.map((column) => row[column]))))
      } else {
        await write(out, page.map((row, i) => `${rows + i === 0 ? "\n" : ",\n"}${jsonRow(row)}`).join(""))
      }
      rows += page.length
    }
    if (options.format === "json") await write(out, rows ? "\n]\n" : "]\n")
    await cursor.close()
    await client.query("COMMIT")
    return rows
  } finally {
    await client.end()
  }
}

/** The output: a file (written whole or not at all: a temporary file renamed at the end), or stdout. */
export async function exportTo(options: ExportOptions, file?: string): Promise<number> {
  if (!file) return exportLevels(options, process.stdout)
  const partial = `${file}.partial`
  const out = fs.createWriteStream(partial)
  try {
    const rows = await exportLevels(options, out)
    out.end()
    await once(out, "finish")
    fs.renameSync(partial, file)
    return rows
  } catch (error) {
    out.destroy()
    fs.rmSync(partial, { force: true })
    throw error
  }
}
