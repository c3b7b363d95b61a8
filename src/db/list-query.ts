import type { ObjectLiteral, SelectQueryBuilder } from "typeorm"
import type { ColumnKind, TableSpec } from "../stock/tables"
import { invalidData } from "../utils/errors"
import { describe, INT_MAX, INT_MIN, toArray } from "../utils/validation"
import type { Executor } from "./executor"

/**
 * One query helper serves every list method: it turns a Medusa selector and FindConfig into
 * a parameterised TypeORM query, checking every field name against the table's columns so
 * that nothing from the caller is ever spliced into SQL.
 */

export interface ListSpec extends TableSpec {
  /** Filters that are not plain columns (e.g. items' `q` and `location_id`). */
  special?: Record<string, (qb: SelectQueryBuilder<ObjectLiteral>, value: unknown, param: ParamNamer) => void>
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

export type ParamNamer = () => string

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

function applyColumnFilter(
  qb: SelectQueryBuilder<ObjectLiteral>,
  column: string,
  kind: ColumnKind,
  value: unknown,
  field: string,
  param: ParamNamer
): void {
  if (value === undefined) return
  if (value === null) {
    qb.andWhere(`${column} IS NULL`)
    return
  }
  if (Array.isArray(value)) {
    if (value.length === 0) {
      qb.andWhere("FALSE")
      return
    }
    // One array parameter, whatever the list's length (no IN list of thousands of binds).
    const p = param()
    qb.andWhere(`${column} = ANY(CAST(:${p} AS ${ARRAY_CASTS[kind]}))`, { [p]: value.map((v) => scalar(kind, v, field)) })
    return
  }
  const operator = asFindOperator(value)
  if (operator) {
    applyFindOperator(qb, column, kind, operator, field, param)
    return
  }
  if (value instanceof Date || typeof value !== "object") {
    const p = param()
    qb.andWhere(`${column} = :${p}`, { [p]: scalar(kind, value, field) })
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
    const p = param()
    if (op in COMPARISON_SQL) {
      qb.andWhere(`${column} ${COMPARISON_SQL[op]} :${p}`, { [p]: scalar(kind, operand, `${field}.${op}`) })
    } else {
      const text = scalar(kind, operand, `${field}.${op}`) as string
      const pattern =
        op === "contains" ? likePattern(text, "%", "%") : op === "starts_with" ? likePattern(text, "", "%") : likePattern(text, "%", "")
      qb.andWhere(`${column} ILIKE :${p}`, { [p]: pattern })
    }
  }
}

function applyFindOperator(
  qb: SelectQueryBuilder<ObjectLiteral>,
  column: string,
  kind: ColumnKind,
  operator: { type: string; value: unknown },
  field: string,
  param: ParamNamer
): void {
  const p = param()
  switch (operator.type) {
    case "in":
    case "any":
      applyColumnFilter(qb, column, kind, toArray(operator.value), field, param)
      return
    case "equal":
      applyColumnFilter(qb, column, kind, operator.value, field, param)
      return
    case "isNull":
      qb.andWhere(`${column} IS NULL`)
      return
    case "not": {
      const inner = asFindOperator(operator.value)
      if (inner?.type === "isNull") {
        qb.andWhere(`${column} IS NOT NULL`)
      } else if (!inner) {
        qb.andWhere(`${column} IS DISTINCT FROM :${p}`, { [p]: scalar(kind, operator.value, field) })
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
      qb.andWhere(`${column} ${sql} :${p}`, { [p]: scalar(kind, operator.value, field) })
      return
    }
    case "like":
    case "ilike":
      qb.andWhere(`${column} ${operator.type === "like" ? "LIKE" : "ILIKE"} :${p}`, { [p]: scalar(kind, operator.value, field) })
      return
    case "and": {
      for (const inner of toArray(operator.value)) applyColumnFilter(qb, column, kind, inner, field, param)
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

/**
 * Runs a list: `[rows, count]` for `selector` and `config` (already defaulted by the caller).
 *
 * Without relations it is one statement returning plain rows, a window counting them while
 * the page is cut. With a text search the filtered rows are materialised first, so the planner
 * serves `q` from its trigram index instead of walking the primary key in page order. With relations, TypeORM joins and pages by root entity (two statements).
 */
export async function runListQuery(
  executor: Executor,
  spec: ListSpec,
  selector: Record<string, unknown>,
  config: ListConfig
): Promise<[Record<string, unknown>[], number]> {
  const { alias } = spec
  const qb = executor.manager.getRepository<ObjectLiteral>(spec.entity).createQueryBuilder(alias)
  let counter = 0
  const param: ParamNamer = () => `p${counter++}`

  for (const [field, value] of Object.entries(selector)) {
    if (value === undefined) continue
    const special = spec.special?.[field]
    if (special) {
      special(qb, value, param)
      continue
    }
    const kind = (spec.columns as Record<string, { kind: ColumnKind } | undefined>)[field]?.kind
    if (!kind) {
      throw invalidData(`Unknown filter "${field}" for ${spec.label}`)
    }
    applyColumnFilter(qb, `${alias}.${field}`, kind, value, field, param)
  }

  const select = stringList(config.select, "select")
  for (const column of select) {
    if (!spec.columns[column]) throw invalidData(`"config.select" names an unknown field "${column}" of ${spec.label}`)
  }
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
  if (config.withDeleted === true || "deleted_at" in selector) {
    qb.withDeleted()
  }

  if (relations.length) {
    if (select.length) qb.select([...new Set(["id", ...select])].map((c) => `${alias}.${c}`))
    for (const relation of relations) qb.leftJoinAndSelect(`${alias}.${relation}`, relation)
    for (const [column, direction] of order) qb.addOrderBy(`${alias}.${column}`, direction)
    if (skip) qb.skip(skip)
    if (take !== undefined) qb.take(take)
    const [rows, count] = await qb.getManyAndCount()
    return [rows as unknown as Record<string, unknown>[], count]
  }

  const wanted = select.length ? [...new Set(["id", ...select])] : Object.keys(spec.columns)
  const columns = [...new Set([...wanted, ...order.map(([column]) => column)])]
  qb.select(`${alias}.${columns[0]}`, columns[0])
  for (const column of columns.slice(1)) qb.addSelect(`${alias}.${column}`, column)
  const [inner, parameters] = qb.getQueryAndParameters()
  const paging: string[] = []
  if (take !== undefined) {
    parameters.push(take)
    paging.push(`LIMIT $${parameters.length}`)
  }
  if (skip) {
    parameters.push(skip)
    paging.push(`OFFSET $${parameters.length}`)
  }
  const rows = await executor.rows<Record<string, unknown>>(
    `WITH matched AS ${"q" in selector ? "MATERIALIZED" : ""} (${inner})
     SELECT *, count(*) OVER () AS "__total" FROM matched
      ORDER BY ${order.map(([column, direction]) => `"${column}" ${direction}`).join(", ")}
      ${paging.join(" ")}`,
    parameters
  )
  let count = rows.length ? Number(rows[0].__total) : 0
  if (!rows.length && (skip || take === 0)) {
    // Past the last page, or a page of none: the window had no row to report on.
    const [{ total }] = await executor.rows<{ total: string }>(
      `SELECT count(*) AS total FROM (${inner}) AS matched`,
      parameters.slice(0, parameters.length - paging.length)
    )
    count = Number(total)
  }
  const extra = columns.filter((c) => !wanted.includes(c))
  for (const row of rows) {
    delete row.__total
    for (const column of extra) delete row[column]
  }
  return [rows, count]
}

function parseOrder(spec: ListSpec, order: unknown): [string, "ASC" | "DESC"][] {
  if (order === undefined || order === null) return []
  if (typeof order !== "object" || Array.isArray(order)) {
    throw invalidData(`"config.order" must be an object of field: "ASC" | "DESC" (got ${describe(order)})`)
  }
  return Object.entries(order as Record<string, unknown>).map(([column, direction]) => {
    const dir = typeof direction === "string" ? direction.toUpperCase() : direction
    if (!spec.columns[column]) throw invalidData(`"config.order" names an unknown field "${column}" of ${spec.label}`)
    if (dir !== "ASC" && dir !== "DESC") throw invalidData(`"config.order.${column}" must be "ASC" or "DESC" (got ${describe(direction)})`)
    return [column, dir]
  })
}
