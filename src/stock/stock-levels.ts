import type { StockContext } from "./context"
import { likePattern } from "../db/list-query"

/**
 * The levels of the Stock page: each live level with its item's sku and title, its available
 * quantity, its low-stock threshold (the level's `metadata.low_stock_threshold`, else the
 * `lowStockThreshold` option) and its units set aside; filtered by location, by a text in the
 * sku or title, or to the levels under their threshold (the low-stock report, most short
 * first). One statement with its count.
 */

export interface StockLevelFilters {
  location_id?: string[]
  /** A part of the sku or title (matched literally, case-insensitively). */
  q?: string
  /** Only levels whose available quantity is under their threshold. */
  low_stock?: boolean
}

export interface StockLevelRow {
  id: string
  inventory_item_id: string
  location_id: string
  sku: string | null
  title: string | null
  stocked_quantity: number
  reserved_quantity: number
  incoming_quantity: number
  available_quantity: number
  threshold: number | null
  unavailable: { damaged: number; quality_control: number; safety_stock: number }
}

interface Row extends Omit<StockLevelRow, "unavailable"> {
  damaged_quantity: number
  quality_control_quantity: number
  safety_stock_quantity: number
  total: string
}

export async function listStockLevels(
  ctx: StockContext,
  filters: StockLevelFilters,
  page: { skip: number; take: number }
): Promise<[StockLevelRow[], number]> {
  const rows = await ctx.read.rows<Row>(
    `WITH lv AS (
       SELECT l.id, l.inventory_item_id, l.location_id, i.sku, i.title, l.stocked_quantity, l.reserved_quantity, l.incoming_quantity,
              l.stocked_quantity - l.reserved_quantity AS available_quantity,
              COALESCE(CASE WHEN l.metadata->>'low_stock_threshold' ~ '^[0-9]{1,9}$' THEN (l.metadata->>'low_stock_threshold')::int END, $1::int) AS threshold,
              l.damaged_quantity, l.quality_control_quantity, l.safety_stock_quantity
         FROM inventory_level l
         JOIN inventory_item i ON i.id = l.inventory_item_id AND i.deleted_at IS NULL
        WHERE l.deleted_at IS NULL
          AND ($2::text[] IS NULL OR l.location_id = ANY($2::text[]))
          AND ($3::text IS NULL OR i.sku ILIKE $3::text OR i.title ILIKE $3::text)
     ),
     matched AS MATERIALIZED (
       SELECT * FROM lv WHERE NOT $4::boolean OR (threshold IS NOT NULL AND available_quantity < threshold)
     )
     SELECT p.*, c.total
       FROM (SELECT count(*) AS total FROM matched) c
       LEFT JOIN LATERAL (
         SELECT * FROM matched
          ORDER BY CASE WHEN $4::boolean THEN available_quantity - threshold END, sku, location_id, id
          LIMIT $5 OFFSET $6
       ) p ON true
      ORDER BY CASE WHEN $4::boolean THEN p.available_quantity - p.threshold END, p.sku, p.location_id, p.id`,
    [
      ctx.lowStockThreshold ?? null,
      filters.location_id?.length ? filters.location_id : null,
      filters.q ? likePattern(filters.q, "%", "%") : null,
      filters.low_stock === true,
      page.take,
      page.skip,
    ]
  )
  const count = rows.length ? Number(rows[0].total) : 0
  const levels = rows
    .filter((row) => row.id !== null)
    .map((row) => ({
      id: row.id,
      inventory_item_id: row.inventory_item_id,
      location_id: row.location_id,
      sku: row.sku,
      title: row.title,
      stocked_quantity: row.stocked_quantity,
      reserved_quantity: row.reserved_quantity,
      incoming_quantity: row.incoming_quantity,
      available_quantity: row.available_quantity,
      threshold: row.threshold,
      unavailable: { damaged: row.damaged_quantity, quality_control: row.quality_control_quantity, safety_stock: row.safety_stock_quantity },
    }))
  return [levels, count]
}
