import type { ObjectLiteral, SelectQueryBuilder } from "typeorm"
import type { ColumnKind, ColumnSpec, TableSpec } from "../stock/tables"
import { invalidData } from "../utils/errors"
import { describe, INT_MAX, INT_MIN, toArray } from "../utils/validation"
import type { Executor } from "./executor"

/**
 * One query helper serves every list method: it turns a Medusa selector and FindConfig into
 * parameterised SQL, checking every field name against the table's columns so that nothing
 * from the caller is ever spliced into SQL. A plain list is SQL built here (no query builder
 * on the hot path); a list that joins relations goes through TypeORM, which pages by root entity.
 */

/**
 * Where a list's conditions go: `and` adds one (its text written by this module, never the
 * caller's), `bind` gives the placeholder of a value.
 */
export interface Where {
  and(sql: string): void
  bind(value: unknown): string
  /**
   * The filter is costly per row (a text search): the matched rows are computed once for the
   * count and the page, instead of the planner walking the primary key in page order.
   */
  materialize(): void
}

export interface ListSpec extends TableSpec {
  /** Filters that are not plain columns (e.g. items' `q` and `location_id`); `alias` is the table's. */
  special?: Record<string, (where: Where, value: unknown, alias: string) => void>
  /**
   * As the official module's item list: `config.relations` is accepted and not joined (Medusa's
   * routes pass `?expand=` through, e.g. `location_levels`, and join what they need
   * themselves), and `take: 0` means no limit.
   */
  itemListQuirks?: boolean
}

export interface ListConfig {
  select?: unknown
  skip?: unknown
  take?: unknown
  order?: unknown
  relations?: unknown
  withDeleted?: unknown
}

/** What the caller reads of a list. */
export interface ListNeeds {
  /** false: the count is not read (a retrieve), so it is not computed. */
  count?: boolean
  /**
   * The order of the list when its config gives none (an allocation strategy's, see
   * stock/allocation.ts), before the id that breaks ties. Plain lists only: a list that joins
   * relations keeps the default order.
   */
  defaultOrder?: OrderTerm[]
}

/** An ORDER BY item built by the module (never from the caller's text). */
export interface OrderTerm {
  /** The table's columns the term reads: selected for the page, so that an outer query can sort by them too. */
  columns: string[]
  /** The values the term binds (a priority list, say). */
  params?: unknown[]
  /** The term: `column(name)` is a column as the query at hand names it, `param(i)` the placeholder of `params[i]`. */
  sql: (column: (name: string) => string, param: (index: number) => string) => string
}

const STRING_OPERATORS = ["lt", "gt", "lte", "gte", "contains", "starts_with", "ends_with"] as const
const NUMBER_OPERATORS = ["lt", "gt", "lte", "gte"] as const
const COMPARISON_SQL: Record<string, string> = { lt: "<", gt: ">", lte: "<=", gte: ">=" }
const ARRAY_CASTS: Record<ColumnKind, string> = {
  id: "text[]",
  text: "text[]",
  int: "int[]",
  bool: "boolean[]",
  date: "timestamptz[]",
  json: "jsonb[]",
}

/** `%` and `_` in the caller's text are matched literally. */
export function likePattern(text: string, prefix: string, suffix: string): string {
  return `${prefix}${text.replace(/[\\%_]/g, (c) => `\\${c}`)}${suffix}`
}

/** Coerces one scalar filter value for a column, or throws INVALID_DATA naming the field. */
function scalar(kind: ColumnKind, value: unknown, field: string): unknown {
  switch (kind) {
    case "id":
    case "text":
      if (typeof value === "string") return value
      if (typeof value === "number" && Number.isFinite(value)) return String(value)
      break
    case "int": {
      const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value
      if (typeof n === "number" && Number.isInteger(n) && n >= INT_MIN && n <= INT_MAX) return n
      throw invalidData(`Filter "${field}" must be an integer within the PostgreSQL integer range (got ${describe(value)})`)
    }
    case "bool":
      if (typeof value === "boolean") return value
      if (value === "true" || value === "false") return value === "true"
      break
    case "date": {
      const date = value instanceof Date ? value : typeof value === "string" || typeof value === "number" ? new Date(value) : undefined
      if (date && !Number.isNaN(date.getTime())) return date
      throw invalidData(`Filter "${field}" must be a date (got ${describe(value)})`)
    }
    case "json":
      throw invalidData(`Filter "${field}" is not supported`)
  }
  throw invalidData(`Filter "${field}" must be a ${kind === "bool" ? "boolean" : "string"} (got ${describe(value)})`)
}

/** A TypeORM FindOperator, duck-typed so that operators made by another copy of TypeORM work too. */
function asFindOperator(value: unknown): { type: string; value: unknown } | undefined {
  if (value && typeof value === "object" && "_type" in value && "_value" in value) {
    const op = value as { _type: unknown; _value: unknown }
    if (typeof op._type === "string") return { type: op._type, value: op._value }
  }
  return undefined
}

function applyColumnFilter(where: Where, column: string, kind: ColumnKind, value: unknown, field: string): void {
  if (value === undefined) return
  if (value === null) {
    where.and(`${column} IS NULL`)
    return
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      where.and("FALSE")
      return
    }
    // One array parameter, whatever the list's length (no IN list of thousands of binds).
    const values = new Array<unknown>(value.length)
    for (let i = 0; i < value.length; i++) values[i] = scalar(kind, value[i], field)
    where.and(`${column} = ANY(${where.bind(values)}::${ARRAY_CASTS[kind]})`)
    return
  }
  if (value instanceof Date || typeof value !== "object") {
    where.and(`${column} = ${where.bind(scalar(kind, value, field))}`)
    return
  }
  const operator = asFindOperator(value)
  if (operator) {
    applyFindOperator(where, column, kind, operator, field)
    return
  }
  const allowed: readonly string[] = kind === "text" || kind === "id" ? STRING_OPERATORS : kind === "int" || kind === "date" ? NUMBER_OPERATORS : []
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
  if (!entries.length) {
    // An empty operator object would silently match every row.
    throw invalidData(`Filter "${field}" must be a value or an operator object${allowed.length ? ` (${allowed.join(", ")})` : ""} (got {})`)
  }
  for (const [op, operand] of entries) {
    if (!allowed.includes(op)) {
      throw invalidData(`Filter "${field}" does not support the operator "${op}"${allowed.length ? ` (use ${allowed.join(", ")})` : ""}`)
    }
    if (op in COMPARISON_SQL) {
      where.and(`${column} ${COMPARISON_SQL[op]} ${where.bind(scalar(kind, operand, `${field}.${op}`))}`)
    } else {
      const text = scalar(kind, operand, `${field}.${op}`) as string
      const pattern =
        op === "contains" ? likePattern(text, "%", "%") : op === "starts_with" ? likePattern(text, "", "%") : likePattern(text, "%", "")
      where.and(`${column} ILIKE ${where.bind(pattern)}`)
    }
  }
}

function applyFindOperator(where: Where, column: string, kind: ColumnKind, operator: { type: string; value: unknown }, field: string): void {
  switch (operator.type) {
    case "in":
    case "any":
      applyColumnFilter(where, column, kind, toArray(operator.value), field)
      return
    case "equal":
      applyColumnFilter(where, column, kind, operator.value, field)
      return
    case "isNull":
      where.and(`${column} IS NULL`)
      return
    case "not": {
      const inner = asFindOperator(operator.value)
      if (inner?.type === "isNull") {
        where.and(`${column} IS NOT NULL`)
      } else if (!inner) {
        where.and(`${column} IS DISTINCT FROM ${where.bind(scalar(kind, operator.value, field))}`)
      } else {
        break
      }
      return
    }
    case "lessThan":
    case "lessThanOrEqual":
    case "moreThan":
    case "moreThanOrEqual": {
      const sql = { lessThan: "<", lessThanOrEqual: "<=", moreThan: ">", moreThanOrEqual: ">=" }[operator.type]
      where.and(`${column} ${sql} ${where.bind(scalar(kind, operator.value, field))}`)
      return
    }
    case "like":
    case "ilike":
      where.and(`${column} ${operator.type === "like" ? "LIKE" : "ILIKE"} ${where.bind(scalar(kind, operator.value, field))}`)
      return
    case "and": {
      for (const inner of toArray(operator.value)) applyColumnFilter(where, column, kind, inner, field)
      return
    }
  }
  throw invalidData(`Filter "${field}" uses an unsupported operator "${operator.type}"`)
}

function stringList(value: unknown, field: string): string[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
    throw invalidData(`"config.${field}" must be an array of strings (got ${describe(value)})`)
  }
  return value as string[]
}

function optionalCount(value: unknown, field: string): number | undefined {
  if (value === undefined || value === null) return undefined
  const n = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value
  if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > INT_MAX) {
    throw invalidData(`"config.${field}" must be a non-negative integer (got ${describe(value)})`)
  }
  return n
}

/** The conditions and parameters of one list, built in order. */
class WhereBuilder implements Where {
  readonly conditions: string[] = []
  readonly params: unknown[] = []
  materialized = false
  /** At most this many rows can match (a filter on a unique column), when known. */
  bound?: number

  and(sql: string): void {
    this.conditions.push(sql)
  }

  bind(value: unknown): string {
    this.params.push(value)
    return `$${this.params.length}`
  }

  materialize(): void {
    this.materialized = true
  }

  sql(): string {
    return this.conditions.length ? `WHERE ${this.conditions.join(" AND ")}` : ""
  }
}

/** The parsed FindConfig of a list. */
interface Plan {
  select: string[]
  relations: string[]
  order: [string, "ASC" | "DESC"][]
  skip?: number
  take?: number
  withDeleted: boolean
}

/** A page of at least this many rows is read with the module's timestamp parser (see Executor.rows). */
export const MANY_ROWS = 4

const groupsOf = new WeakMap<TableSpec, Map<string, string[]>>()

/** The columns returned inside an object field (`within`), by that field: `{ unavailable: ["damaged_quantity", …] }` (once per table). */
function groupedColumns(spec: TableSpec): Map<string, string[]> {
  let groups = groupsOf.get(spec)
  if (!groups) {
    groups = new Map<string, string[]>()
    for (const [name, column] of Object.entries(spec.columns) as [string, ColumnSpec][]) {
      if (column.within) groups.set(column.within.field, [...(groups.get(column.within.field) ?? []), name])
    }
    groupsOf.set(spec, groups)
  }
  return groups
}

/** A column a caller may filter, order or select by its own name (not one returned `within` a field). */
function plainColumn(spec: TableSpec, name: string): ColumnSpec | undefined {
  const column = (spec.columns as Record<string, ColumnSpec | undefined>)[name]
  return column && !column.within ? column : undefined
}

function planOf(spec: ListSpec, selector: Record<string, unknown>, config: ListConfig): Plan {
  const groups = groupedColumns(spec)
  const select = stringList(config.select, "select").flatMap((column) => {
    const grouped = groups.get(column)
    if (grouped) return grouped
    if (!plainColumn(spec, column)) throw invalidData(`"config.select" names an unknown field "${column}" of ${spec.label}`)
    return [column]
  })
  const relations = spec.itemListQuirks ? [] : stringList(config.relations, "relations")
  for (const relation of relations) {
    if (!spec.relations[relation]) throw invalidData(`"config.relations" names an unknown relation "${relation}" of ${spec.label}`)
  }
  const order = parseOrder(spec, config.order)
  // A stable tie-breaker, so that skip/take pages never overlap or miss rows.
  if (!order.some(([column]) => column === "id")) order.push(["id", "ASC"])
  const skip = optionalCount(config.skip, "skip")
  const given = optionalCount(config.take, "take")
  const take = given === 0 && spec.itemListQuirks ? undefined : given
  return { select, relations, order, skip, take, withDeleted: config.withDeleted === true || "deleted_at" in selector }
}

/** The selector's conditions on the table aliased `alias`. */
function whereOf(spec: ListSpec, selector: Record<string, unknown>, alias: string, withDeleted: boolean): WhereBuilder {
  const where = new WhereBuilder()
  if (!withDeleted && spec.columns.deleted_at) where.and(`${alias}.deleted_at IS NULL`)
  for (const field in selector) {
    const value = selector[field]
    if (value === undefined) continue
    const special = spec.special?.[field]
    if (special) {
      special(where, value, alias)
      continue
    }
    const column = plainColumn(spec, field)
    if (!column) {
      throw invalidData(`Unknown filter "${field}" for ${spec.label}`)
    }
    applyColumnFilter(where, `${alias}."${field}"`, column.kind, value, field)
    if (column.unique === "always" || (column.unique === "live" && !withDeleted)) {
      const matches = Array.isArray(value) ? value.length : value !== null && typeof value !== "object" ? 1 : undefined
      if (matches !== undefined) where.bound = Math.min(where.bound ?? matches, matches)
    }
  }
  return where
}

/**
 * Runs a list: `[rows, count]` for `selector` and `config` (already defaulted by the caller).
 *
 * Without relations it is one statement: the count (served from an index where one covers
 * the filter) beside the page (which the planner serves in order from the primary key, or
 * sorts from an index), joined laterally so that a page past the end still carries its count.
 * A text search computes its matched rows once for both. A page that needs no count (the
 * whole list, or a retrieve) has none. With relations, TypeORM joins and pages by root entity.
 */
export async function runListQuery(
  executor: Executor,
  spec: ListSpec,
  selector: Record<string, unknown>,
  config: ListConfig,
  needs: ListNeeds = {}
): Promise<[Record<string, unknown>[], number]> {
  const { alias } = spec
  const plan = planOf(spec, selector, config)
  if (plan.relations.length) return joinedList(executor, spec, selector, plan)

  const where = whereOf(spec, selector, alias, plan.withDeleted)
  const { select, order, skip, take } = plan
  const terms = config.order === undefined || config.order === null ? needs.defaultOrder ?? [] : []
  const wanted = select.length ? [...new Set(["id", ...select])] : Object.keys(spec.columns)
  const columns = [...new Set([...wanted, ...terms.flatMap((term) => term.columns), ...order.map(([column]) => column)])]
  const params = where.params
  // A term's values are bound once; the page and the outer query share the placeholders.
  const termParams = terms.map((term) => (term.params ?? []).map((value) => where.bind(value)))
  const paging: string[] = []
  if (take !== undefined) paging.push(`LIMIT ${bindPaging(params, take)}`)
  if (skip) paging.push(`OFFSET ${bindPaging(params, skip)}`)
  const orderBy = (prefix: string) =>
    [
      ...terms.map((term, i) => term.sql((column) => `${prefix}"${column}"`, (index) => termParams[i][index])),
      ...order.map(([column, direction]) => `${prefix}"${column}" ${direction}`),
    ].join(", ")
  // No count where the page holds every match: the whole list from its start, or a first page
  // at least as long as the rows a unique filter can match (a sku, a list of ids).
  const wholeList = !skip && (take === undefined || (where.bound !== undefined && where.bound <= take))
  const counted = needs.count !== false && !wholeList

  let sql: string
  if (where.materialized) {
    sql = `WITH matched AS MATERIALIZED (SELECT ${columns.map((c) => `${alias}."${c}"`).join(", ")} FROM ${spec.name} ${alias} ${where.sql()})
      ${
        counted
          ? `SELECT p.*, c.__total FROM (SELECT count(*) AS __total FROM matched) c
              LEFT JOIN LATERAL (SELECT * FROM matched ORDER BY ${orderBy("")} ${paging.join(" ")}) p ON true
             ORDER BY ${orderBy("p.")}`
          : `SELECT * FROM matched ORDER BY ${orderBy("")} ${paging.join(" ")}`
      }`
  } else {
    const page = `SELECT ${columns.map((c) => `${alias}."${c}"`).join(", ")} FROM ${spec.name} ${alias} ${where.sql()}
      ORDER BY ${orderBy(`${alias}.`)} ${paging.join(" ")}`
    sql = counted
      ? `SELECT p.*, c.__total FROM (SELECT count(*) AS __total FROM ${spec.name} ${alias} ${where.sql()}) c
          LEFT JOIN LATERAL (${page}) p ON true ORDER BY ${orderBy("p.")}`
      : page
  }
  // A page of a few rows (a lookup by sku, a retrieve) is read with the driver's own parsers.
  const most = Math.min(take ?? Infinity, where.bound ?? Infinity)
  const rows = await executor.rows<Record<string, unknown>>(sql, params, undefined, most >= MANY_ROWS)
  let count: number
  if (counted) {
    count = rows.length ? Number(rows[0].__total) : 0
    // A page of none is one row of the count with no item, level or reservation beside it.
    if (rows.length === 1 && rows[0].id === null) return [[], count]
  } else {
    count = (skip ?? 0) + rows.length
    if (columns.length === wanted.length && (!groupedColumns(spec).size || !wanted.some((c) => spec.columns[c].within))) return [rows, count]
  }
  // New objects of the wanted columns: deleting the count (or an order column) from the
  // driver's rows would leave each in V8's slow dictionary mode, and cost more than the copy.
  const copy = dtoCopier(spec, wanted)
  return [rows.map(copy), count]
}

export type RowCopier = (row: Record<string, unknown>) => Record<string, unknown>
const copiers = new Map<string, RowCopier>()

/**
 * A function that copies `columns` of a row into a new object literal: one shape for every
 * row, built at V8's speed for literals. The names are the table's own columns (checked
 * against its spec), never the caller's text.
 */
export function rowCopier(columns: string[]): RowCopier {
  const key = columns.join(",")
  let copier = copiers.get(key)
  if (!copier) {
    const fields = columns.map((c) => `${JSON.stringify(c)}: row[${JSON.stringify(c)}]`).join(", ")
    copier = new Function("row", `return { ${fields} }`) as RowCopier
    // Selects of column subsets are few in practice; the cache stays bounded whatever a caller does.
    if (copiers.size >= 256) copiers.clear()
    copiers.set(key, copier)
  }
  return copier
}

/**
 * `rowCopier` for rows of `spec` as callers see them: the columns `within` a field (the level's
 * `unavailable` breakdown) nested in that field, in the position of its first column.
 */
export function dtoCopier(spec: TableSpec, columns: string[]): RowCopier {
  const nested = columns.filter((c) => spec.columns[c]?.within)
  if (!nested.length) return rowCopier(columns)
  const key = `${spec.name}:${columns.join(",")}`
  let copier = copiers.get(key)
  if (!copier) {
    const fields: string[] = []
    const done = new Set<string>()
    for (const column of columns) {
      const within = spec.columns[column].within
      if (!within) {
        fields.push(`${JSON.stringify(column)}: row[${JSON.stringify(column)}]`)
      } else if (!done.has(within.field)) {
        done.add(within.field)
        const inner = nested.filter((c) => spec.columns[c].within!.field === within.field)
        const parts = inner.map((c) => `${JSON.stringify(spec.columns[c].within!.key)}: row[${JSON.stringify(c)}]`)
        fields.push(`${JSON.stringify(within.field)}: { ${parts.join(", ")} }`)
      }
    }
    copier = new Function("row", `return { ${fields.join(", ")} }`) as RowCopier
    if (copiers.size >= 256) copiers.clear()
    copiers.set(key, copier)
  }
  return copier
}

function bindPaging(params: unknown[], value: number): string {
  params.push(value)
  return `$${params.length}`
}

/** A list that joins relations: TypeORM's query builder, paging by root entity (two statements). */
async function joinedList(
  executor: Executor,
  spec: ListSpec,
  selector: Record<string, unknown>,
  plan: Plan
): Promise<[Record<string, unknown>[], number]> {
  const { alias } = spec
  const where = whereOf(spec, selector, alias, true)
  const qb: SelectQueryBuilder<ObjectLiteral> = executor.manager.getRepository<ObjectLiteral>(spec.entity).createQueryBuilder(alias)
  if (plan.withDeleted) qb.withDeleted()
  // The conditions use $n placeholders; TypeORM's own parameters are named, so they are given as
  // named ones in the same order: each $n becomes :wN.
  const named = Object.fromEntries(where.params.map((value, i) => [`w${i + 1}`, value]))
  const rewrite = (sql: string) => sql.replace(/\$(\d+)/g, (_, n: string) => `:w${n}`)
  for (const condition of where.conditions) qb.andWhere(rewrite(condition), named)
  // Columns returned `within` a field are not selected by TypeORM unless asked (select: false).
  const nested = Object.keys(spec.columns).filter((c) => spec.columns[c].within && (!plan.select.length || plan.select.includes(c)))
  if (plan.select.length) qb.select([...new Set(["id", ...plan.select.filter((c) => !spec.columns[c].within)])].map((c) => `${alias}.${c}`))
  for (const column of nested) qb.addSelect(`${alias}.${column}`)
  for (const relation of plan.relations) qb.leftJoinAndSelect(`${alias}.${relation}`, relation)
  for (const [column, direction] of plan.order) qb.addOrderBy(`${alias}.${column}`, direction)
  if (plan.skip) qb.skip(plan.skip)
  if (plan.take !== undefined) qb.take(plan.take)
  const [rows, count] = await qb.getManyAndCount()
  for (const row of rows as Record<string, unknown>[]) {
    for (const column of nested) {
      const { field, key } = spec.columns[column].within!
      const group = (row[field] ??= {}) as Record<string, unknown>
      group[key] = row[column]
      delete row[column]
    }
  }
  return [rows as unknown as Record<string, unknown>[], count]
}

function parseOrder(spec: ListSpec, order: unknown): [string, "ASC" | "DESC"][] {
  if (order === undefined || order === null) return []
  if (typeof order !== "object" || Array.isArray(order)) {
    throw invalidData(`"config.order" must be an object of field: "ASC" | "DESC" (got ${describe(order)})`)
  }
  return Object.entries(order as Record<string, unknown>).map(([column, direction]) => {
    const dir = typeof direction === "string" ? direction.toUpperCase() : direction
    if (!plainColumn(spec, column)) throw invalidData(`"config.order" names an unknown field "${column}" of ${spec.label}`)
    if (dir !== "ASC" && dir !== "DESC") throw invalidData(`"config.order.${column}" must be "ASC" or "DESC" (got ${describe(direction)})`)
    return [column, dir]
  })
}
