/**
 * Turning what either module answers into comparable JSON: generated ids become stable labels
 * (in order of appearance, one labeller per module), dates become a marker, entity instances
 * become plain objects (as JSON would send them) and errors keep what Medusa's API uses.
 */

/** Ids the inventory modules generate: a prefix and a ULID (`generateEntityId`). */
const GENERATED_ID = /\b(iitem|ilev|resitem)_[0-9A-HJKMNP-TV-Z]{26}\b/g

export const DATE = "<date>"

/** Maps each generated id to `<prefix>#<n>`, numbered per prefix in order of first appearance. */
export class Labeller {
  private readonly labels = new Map<string, string>()
  private readonly counts = new Map<string, number>()

  label(id: string, assign = true): string {
    const known = this.labels.get(id)
    if (known) return known
    if (!assign) return "<new id>"
    const prefix = id.slice(0, id.indexOf("_"))
    const n = (this.counts.get(prefix) ?? 0) + 1
    this.counts.set(prefix, n)
    const label = `${prefix}#${n}`
    this.labels.set(id, label)
    return label
  }

  /** Replaces every generated id inside `text`. */
  text(text: string, assign = true): string {
    return text.replace(GENERATED_ID, (id) => this.label(id, assign))
  }
}

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/**
 * A JSON-like copy of `value`: ids labelled, dates as a marker, `undefined` properties dropped
 * (as `JSON.stringify` drops them), non-finite numbers spelled out (JSON would turn NaN into null
 * and hide the difference between NaN and 0).
 */
export function normalize(value: unknown, labeller: Labeller, assign = true): Json {
  if (value === null || value === undefined) return null
  if (value instanceof Date) return DATE
  if (typeof value === "string") return labeller.text(value, assign)
  if (typeof value === "number") return Number.isFinite(value) ? value : `<number ${String(value)}>`
  if (typeof value === "boolean") return value
  if (typeof value === "bigint") return `<bigint ${value}>`
  if (Array.isArray(value)) return value.map((v) => normalize(v, labeller, assign))
  if (typeof value === "object") {
    const out: { [key: string]: Json } = {}
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key]
      if (v === undefined || typeof v === "function") continue
      out[key] = normalize(v, labeller, assign)
    }
    return out
  }
  return `<${typeof value}>`
}

/**
 * Normalizes a list whose order the caller did not ask for: rows are sorted by their content
 * (ids not seen before masked), then labelled in that order, so that both modules' rows line
 * up whatever order each returned them in.
 */
export function normalizeUnordered(rows: unknown[], labeller: Labeller): Json[] {
  const keyed = rows.map((row) => ({ row, key: JSON.stringify(normalize(row, labeller, false)) }))
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  return keyed.map(({ row }) => normalize(row, labeller))
}

export interface NormalizedError {
  /** MedusaError's type (Medusa's API maps it to the HTTP status), or the class name of anything else. */
  type: string
  message: string
  code?: string
}

interface ErrorLike {
  __isMedusaError?: boolean
  type?: unknown
  message?: unknown
  code?: unknown
  name?: unknown
  table?: unknown
  detail?: unknown
  column?: unknown
}

/**
 * What Medusa's API error handler makes of a PostgreSQL error the module let through
 * (`formatException` in @medusajs/medusa/dist/utils/exception-formatter.js): a unique violation
 * becomes DUPLICATE_ERROR "<Table> with <columns> <values> already exists.", a not-null
 * violation INVALID_DATA. Written here from its documented behaviour, so that a raw driver error
 * of the official module is compared as the client would see it.
 */
function asMedusaApiAnswers(e: ErrorLike): { type: string; message: string } | undefined {
  const table = typeof e.table === "string" ? e.table : ""
  const detail = typeof e.detail === "string" ? e.detail : ""
  if (e.code === "23505" && table && detail.startsWith("Key ")) {
    const what = detail.slice("Key ".length).replace(/[()]/g, "").replace(/=/g, " ")
    return { type: "duplicate_error", message: `${table[0].toUpperCase()}${table.slice(1)} with ${what}` }
  }
  if (e.code === "23502") {
    return { type: "invalid_data", message: `Can't insert null value in field ${String(e.column)} on insert in table ${table}` }
  }
  return undefined
}

export function normalizeError(error: unknown, labeller: Labeller): NormalizedError {
  const e = (error ?? {}) as ErrorLike
  // Medusa's API formats every error by its code first, MedusaErrors included.
  const api = asMedusaApiAnswers(e)
  if (api) return { type: api.type, message: labeller.text(api.message) }
  if (e.__isMedusaError === true && typeof e.type === "string") {
    const out: NormalizedError = { type: e.type, message: labeller.text(String(e.message)) }
    if (typeof e.code === "string") out.code = e.code
    return out
  }
  const name = typeof e.name === "string" ? e.name : (error as object)?.constructor?.name ?? typeof error
  return { type: `<${name}>`, message: labeller.text(typeof e.message === "string" ? e.message : String(error)) }
}

function show(value: Json | undefined): string {
  if (value === undefined) return "(absent)"
  const text = JSON.stringify(value)
  return text.length > 160 ? `${text.slice(0, 157)}...` : text
}

/** Every path where `official` and `ours` differ, as `path: official X, ours Y`. */
export function differences(official: Json | undefined, ours: Json | undefined, path = ""): string[] {
  if (JSON.stringify(official) === JSON.stringify(ours)) return []
  const bothArrays = Array.isArray(official) && Array.isArray(ours)
  const bothObjects =
    !bothArrays &&
    official !== null && ours !== null &&
    typeof official === "object" && typeof ours === "object" &&
    !Array.isArray(official) && !Array.isArray(ours)
  if (bothArrays) {
    const a = official as Json[]
    const b = ours as Json[]
    const out: string[] = []
    if (a.length !== b.length) out.push(`${path || "(value)"}.length: official ${a.length}, ours ${b.length}`)
    for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(...differences(a[i], b[i], `${path}[${i}]`))
    return out
  }
  if (bothObjects) {
    const a = official as { [key: string]: Json }
    const b = ours as { [key: string]: Json }
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()
    return keys.flatMap((key) => differences(a[key], b[key], path ? `${path}.${key}` : key))
  }
  return [`${path || "(value)"}: official ${show(official)}, ours ${show(ours)}`]
}
