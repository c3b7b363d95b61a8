import { InventoryItem, InventoryLevel, InventoryMovement, InventoryTransfer, ReservationItem } from "../models"
import { anyInt, boolean, dateInput, id, metadata, nonNegativeInt, nullish, optional, positiveInt, strictObject, text, z } from "../utils/validation"

/**
 * One description per table: its columns in the order of the official migrations, each with
 * how a list may filter on it, the PostgreSQL type its parameters are cast to, and the input
 * schema on create and on update (absent: the caller cannot set it). The column lists of every
 * RETURNING, the list filters, the parameter casts of inserts and updates and the zod input
 * shapes all derive from here: adding a column to the module is one edit in this file (plus
 * its migration and entity).
 */

/** How a list filter treats a column (see db/list-query.ts). */
export type ColumnKind = "id" | "text" | "int" | "bool" | "date" | "json"

export interface ColumnSpec {
  kind: ColumnKind
  /** PostgreSQL type of a parameter bound to the column. */
  cast: string
  /** Input schema on create; absent: not given on create (ids, timestamps). */
  create?: z.ZodType
  /** Input schema on update; absent: not updatable. */
  update?: z.ZodType
  /** Inserted when a create leaves the field out (or gives null). */
  default?: unknown
  /**
   * No two rows share a value (`always`), or no two live rows (`live`: a partial unique index
   * where deleted_at IS NULL). A list filtered on it knows how many rows it can match at most.
   */
  unique?: "always" | "live"
  /**
   * Returned to callers inside an object field of the row, not as a field of its own (the
   * level's `unavailable` breakdown): `{ field: "unavailable", key: "damaged" }`. Such a column
   * is neither a filter nor an order; `config.select` names the field.
   */
  within?: { field: string; key: string }
}

export interface TableSpec {
  name: string
  /** Used in messages: "inventory items". */
  label: string
  /** The alias of list queries. */
  alias: string
  entity: typeof InventoryItem | typeof InventoryLevel | typeof ReservationItem | typeof InventoryMovement | typeof InventoryTransfer
  columns: Record<string, ColumnSpec>
  /** Relations a list may join (`config.relations`). */
  relations: Record<string, { target: string }>
}

const idColumn: ColumnSpec = { kind: "id", cast: "varchar", unique: "always" }
const timestamps = {
  created_at: { kind: "date", cast: "timestamptz" },
  updated_at: { kind: "date", cast: "timestamptz" },
  deleted_at: { kind: "date", cast: "timestamptz" },
} satisfies Record<string, ColumnSpec>
const metadataColumn = { kind: "json", cast: "jsonb", create: metadata, update: metadata } satisfies ColumnSpec

/** A nullable text column that create and update may both set. */
const textColumn = (cast: "text" | "varchar") => ({ kind: "text", cast, create: text, update: text }) satisfies ColumnSpec
/** A physical dimension: an integer that is never negative. */
const dimension = { kind: "int", cast: "int", create: nullish(nonNegativeInt), update: nullish(nonNegativeInt) } satisfies ColumnSpec

export const ITEMS = {
  name: "inventory_item",
  label: "inventory items",
  alias: "inv_item",
  entity: InventoryItem,
  columns: {
    id: idColumn,
    ...timestamps,
    sku: { ...textColumn("text"), unique: "live" },
    origin_country: textColumn("text"),
    hs_code: textColumn("text"),
    mid_code: textColumn("text"),
    material: textColumn("text"),
    weight: dimension,
    length: dimension,
    height: dimension,
    width: dimension,
    requires_shipping: { kind: "bool", cast: "boolean", create: optional(boolean), update: optional(boolean), default: true },
    title: textColumn("varchar"),
    description: textColumn("varchar"),
    thumbnail: textColumn("varchar"),
    metadata: metadataColumn,
  },
  relations: { inventory_levels: { target: "InventoryLevel" } },
} satisfies TableSpec

export const LEVELS = {
  name: "inventory_level",
  label: "inventory levels",
  alias: "inv_level",
  entity: InventoryLevel,
  columns: {
    id: idColumn,
    ...timestamps,
    inventory_item_id: { kind: "id", cast: "text", create: id },
    location_id: { kind: "id", cast: "text", create: id },
    stocked_quantity: { kind: "int", cast: "int", create: optional(anyInt), update: optional(anyInt), default: 0 },
    /** Settable by hand, as in the official module; `doctor` reports where it disagrees with reservations. */
    reserved_quantity: { kind: "int", cast: "int", create: optional(nonNegativeInt), update: optional(nonNegativeInt) },
    incoming_quantity: { kind: "int", cast: "int", create: optional(nonNegativeInt), update: optional(nonNegativeInt), default: 0 },
    metadata: metadataColumn,
    /** This module's own: units set aside (stock/set-aside.ts), returned as `unavailable: { damaged, … }`. */
    damaged_quantity: { kind: "int", cast: "int", within: { field: "unavailable", key: "damaged" } },
    quality_control_quantity: { kind: "int", cast: "int", within: { field: "unavailable", key: "quality_control" } },
    safety_stock_quantity: { kind: "int", cast: "int", within: { field: "unavailable", key: "safety_stock" } },
  },
  relations: { inventory_item: { target: "InventoryItem" } },
} satisfies TableSpec

export const RESERVATIONS = {
  name: "reservation_item",
  label: "reservation items",
  alias: "res_item",
  entity: ReservationItem,
  columns: {
    id: idColumn,
    ...timestamps,
    line_item_id: { kind: "id", cast: "text", create: nullish(id) },
    inventory_item_id: { kind: "id", cast: "text", create: id },
    location_id: { kind: "id", cast: "text", create: id, update: optional(id) },
    quantity: { kind: "int", cast: "int", create: positiveInt, update: optional(positiveInt) },
    external_id: { kind: "text", cast: "varchar", create: text },
    description: textColumn("varchar"),
    created_by: { kind: "text", cast: "varchar", create: text },
    metadata: metadataColumn,
    /** This module's own: the sweeper releases the reservation after it (null: never). */
    expires_at: { kind: "date", cast: "timestamptz", create: nullish(dateInput), update: nullish(dateInput) },
  },
  relations: { inventory_item: { target: "InventoryItem" } },
} satisfies TableSpec

/** The stock ledger: read-only through the list (writes go through stock/ledger.ts). */
export const MOVEMENTS = {
  name: "inventory_movement",
  label: "inventory movements",
  alias: "inv_movement",
  entity: InventoryMovement,
  columns: {
    id: idColumn,
    inventory_item_id: { kind: "id", cast: "text" },
    location_id: { kind: "id", cast: "text" },
    stocked_delta: { kind: "int", cast: "int" },
    reserved_delta: { kind: "int", cast: "int" },
    stocked_after: { kind: "int", cast: "int" },
    reserved_after: { kind: "int", cast: "int" },
    reason: { kind: "text", cast: "text" },
    reference: { kind: "text", cast: "text" },
    actor: { kind: "text", cast: "text" },
    reservation_item_id: { kind: "id", cast: "text" },
    idempotency_key: { kind: "text", cast: "text" },
    metadata: { kind: "json", cast: "jsonb" },
    created_at: { kind: "date", cast: "timestamptz" },
    incoming_delta: { kind: "int", cast: "int" },
    damaged_delta: { kind: "int", cast: "int" },
    quality_control_delta: { kind: "int", cast: "int" },
    safety_stock_delta: { kind: "int", cast: "int" },
    state: { kind: "text", cast: "text" },
    transfer_id: { kind: "id", cast: "text" },
  },
  relations: {},
} satisfies TableSpec

/** Transfers between locations: read-only through the list (writes go through stock/transfers.ts). */
export const TRANSFERS = {
  name: "inventory_transfer",
  label: "inventory transfers",
  alias: "inv_transfer",
  entity: InventoryTransfer,
  columns: {
    id: idColumn,
    inventory_item_id: { kind: "id", cast: "text" },
    from_location_id: { kind: "id", cast: "text" },
    to_location_id: { kind: "id", cast: "text" },
    quantity: { kind: "int", cast: "int" },
    status: { kind: "text", cast: "text" },
    received_quantity: { kind: "int", cast: "int" },
    lost_quantity: { kind: "int", cast: "int" },
    reference: { kind: "text", cast: "text" },
    actor: { kind: "text", cast: "text" },
    idempotency_key: { kind: "text", cast: "text" },
    metadata: { kind: "json", cast: "jsonb" },
    created_at: { kind: "date", cast: "timestamptz" },
    received_at: { kind: "date", cast: "timestamptz" },
  },
  relations: {},
} satisfies TableSpec

/** The bigint columns of a movement (the driver answers them as strings; callers get numbers). */
export const MOVEMENT_DELTAS = ["stocked_delta", "reserved_delta", "incoming_delta", "damaged_delta", "quality_control_delta", "safety_stock_delta"] as const

type Columns<T extends TableSpec> = T["columns"]
type Settable<T extends TableSpec, K extends "create" | "update"> = {
  [C in keyof Columns<T> as Columns<T>[C] extends Record<K, z.ZodType> ? C : never]: Columns<T>[C] extends Record<K, infer S extends z.ZodType> ? S : never
}

function inputShape<T extends TableSpec, K extends "create" | "update">(table: T, key: K): Settable<T, K> {
  const shape: Record<string, z.ZodType> = {}
  for (const [name, column] of Object.entries(table.columns) as [string, ColumnSpec][]) {
    const schema = column[key]
    if (schema) shape[name] = schema
  }
  return shape as Settable<T, K>
}

/** The strict zod object of what a caller may give on create (or update) of `table`. */
export function createSchema<T extends TableSpec>(table: T) {
  return strictObject(inputShape(table, "create"))
}

export function updateSchema<T extends TableSpec>(table: T) {
  return strictObject(inputShape(table, "update"))
}

/** Every column, in order: `"id", "created_at", …` (optionally prefixed with an alias). */
export function columnList(table: TableSpec, alias?: string): string {
  return Object.keys(table.columns)
    .map((c) => (alias ? `${alias}."${c}"` : `"${c}"`))
    .join(", ")
}

const createColumnsOf = new WeakMap<TableSpec, string[]>()

/** The columns a create sets, after `id` (worked out once per table). */
export function createColumns(table: TableSpec): string[] {
  let columns = createColumnsOf.get(table)
  if (!columns) {
    columns = Object.entries(table.columns)
      .filter(([, column]) => column.create)
      .map(([name]) => name)
    createColumnsOf.set(table, columns)
  }
  return columns
}

/** The parameter cast of `column`. */
export function castOf(table: TableSpec, column: string): string {
  return table.columns[column].cast
}

/**
 * The rows of a bulk insert as one array parameter per column, `id` and then the create
 * columns: `unnest($1::varchar[], $2::text[], …) AS u(id, …)` from `$first` on, and the
 * parameters for `rows` (defaults filled in, JSON as text). `override` replaces a column's values.
 */
export function unnestRows(
  table: TableSpec,
  ids: string[],
  rows: Record<string, unknown>[],
  first = 1,
  override: Record<string, unknown[]> = {}
): { sql: string; columns: string[]; params: unknown[] } {
  const columns = ["id", ...createColumns(table)]
  const casts = columns.map((c, i) => `$${first + i}::${castOf(table, c)}[]`)
  const params = columns.map((column) => {
    if (column === "id") return ids
    if (override[column]) return override[column]
    const spec = table.columns[column]
    return rows.map((row) => {
      const value = row[column] ?? spec.default ?? null
      return spec.cast === "jsonb" ? jsonParam(value) : value
    })
  })
  return { sql: `unnest(${casts.join(", ")}) AS u(${columns.join(", ")})`, columns, params }
}

/** One row's values in the column order of `unnestRows` (for a statement that inserts a single row). */
export function rowValues(table: TableSpec, id: string, row: Record<string, unknown>): unknown[] {
  const values: unknown[] = [id]
  for (const column of createColumns(table)) {
    const spec = table.columns[column]
    const value = row[column] ?? spec.default ?? null
    values.push(spec.cast === "jsonb" ? jsonParam(value) : value)
  }
  return values
}

/** JSON for a jsonb parameter; `null` stays SQL NULL. */
export function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value)
}

export const itemInput = createSchema(ITEMS)
export const itemUpdate = updateSchema(ITEMS)
export const levelInput = createSchema(LEVELS)
export const levelUpdate = updateSchema(LEVELS)
/** One entry of `updateInventoryLevels`: the level's key and its changes. */
export const levelKeyedUpdate = strictObject({ ...inputShape(LEVELS, "update"), inventory_item_id: id, location_id: id })
export const reservationInput = createSchema(RESERVATIONS)
export const reservationUpdate = updateSchema(RESERVATIONS)

export type ItemInput = z.output<typeof itemInput>
export type LevelInput = z.output<typeof levelInput>
export type LevelUpdate = z.output<typeof levelUpdate>
export type LevelKeyedUpdate = z.output<typeof levelKeyedUpdate>
export type ReservationInput = z.output<typeof reservationInput>
export type ReservationUpdate = z.output<typeof reservationUpdate>
