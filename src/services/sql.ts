import type { EntityManager } from "typeorm"

interface PgPool {
  query(sql: string, parameters: unknown[]): Promise<{ rows: unknown[] }>
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>
}

/** Columns in the order the official migrations create them; used in every RETURNING. */
export const ITEM_COLUMNS = [
  "id", "created_at", "updated_at", "deleted_at", "sku", "origin_country", "hs_code", "mid_code",
  "material", "weight", "length", "height", "width", "requires_shipping", "title", "description",
  "thumbnail", "metadata",
] as const

export const LEVEL_COLUMNS = [
  "id", "created_at", "updated_at", "deleted_at", "inventory_item_id", "location_id",
  "stocked_quantity", "reserved_quantity", "incoming_quantity", "metadata",
] as const

export const RESERVATION_COLUMNS = [
  "id", "created_at", "updated_at", "deleted_at", "line_item_id", "inventory_item_id", "location_id",
  "quantity", "external_id", "description", "created_by", "metadata",
] as const

export function columnList(columns: readonly string[], alias?: string): string {
  return columns.map((c) => (alias ? `${alias}."${c}"` : `"${c}"`)).join(", ")
}

/**
 * Runs one statement and returns its rows. TypeORM's postgres driver answers UPDATE and
 * DELETE with `[rows, rowCount]` and everything else with `rows`; callers get rows either way.
 */
export async function queryRows<T = Record<string, unknown>>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[] = [],
  /** Names a fixed SQL text: each pooled connection then parses and plans it once. */
  name?: string
): Promise<T[]> {
  if (!manager.queryRunner) {
    // Autocommit (no transaction to join): straight to the pool of the DataSource's driver,
    // skipping the query runner TypeORM would create and release around one statement.
    const pool = (manager.connection.driver as { master?: PgPool }).master
    if (pool && typeof pool.query === "function") {
      const result = name ? await pool.query({ name, text: sql, values: parameters }) : await pool.query(sql, parameters)
      return result.rows as T[]
    }
  }
  const result = await manager.query(sql, parameters)
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === "number") {
    return result[0] as T[]
  }
  return result as T[]
}

/** JSON for a jsonb[] parameter; `null` stays SQL NULL. */
export function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

/**
 * The SQL fragment that adds `delta` to `reserved_quantity` of the levels listed in the CTE
 * named `deltas` (columns: level_id text, delta int). Rows are locked in id order first, so
 * two statements touching the same levels cannot deadlock.
 */
export const APPLY_RESERVED_DELTAS = `
  locked AS (
    SELECT l.id FROM inventory_level l JOIN deltas d ON d.level_id = l.id
    ORDER BY l.id FOR UPDATE OF l
  ),
  adjusted AS (
    UPDATE inventory_level l
       SET reserved_quantity = l.reserved_quantity + d.delta, updated_at = now()
      FROM deltas d
     WHERE l.id = d.level_id AND l.id IN (SELECT id FROM locked) AND d.delta <> 0
    RETURNING l.id
  )`
