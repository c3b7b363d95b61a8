/**
 * What travels between the module and PostgreSQL, made cheaper than the `pg` driver's defaults
 * where the result is exactly the same.
 *
 * - Array parameters. `pg` writes an array literal element by element, quoting each string
 *   with two regular-expression replaces: about half a microsecond an element, so 30 ms of
 *   Node CPU for a 10,000-level create (7 arrays). `JSON.stringify` writes the same literal
 *   natively, 20 times faster: a JSON array of strings, numbers, booleans and nulls is a
 *   PostgreSQL array literal once its brackets are braces, as long as JSON escaped nothing
 *   but `"` and `\` (which the array parser reads the same way). Anything else (a control
 *   character, a lone surrogate, a Date, an object, NaN) is left to the driver.
 * - `timestamptz` results. `pg` parses each with a regular expression and several
 *   `parseInt`s (about a microsecond; a 10,000-level create returns 20,000). The server's
 *   ISO output has fixed positions, read here by character code, to the same Date. Only when
 *   the connection's own parser is the driver's default (checked on sample values, once per
 *   connection): a host that set its own parser for timestamps keeps it.
 */

/**
 * A JSON text that escaped something other than `"` and `\`: an escape (a backslash after an
 * even run of them) of a control character or a lone surrogate. Not an array literal as it is.
 */
const OTHER_ESCAPES = /(?:^|[^\\])(?:\\\\)*\\[bfnrtu/]/

/** True for values JSON writes as PostgreSQL's array parser reads them. */
function plainElement(value: unknown): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
    case "undefined":
      return true
    case "number":
      return Number.isFinite(value)
    case "object":
      return value === null || (Array.isArray(value) && value.every(plainElement))
    default:
      return false
  }
}

/** The PostgreSQL array literal of `array`, or undefined when the driver must write it. */
export function arrayLiteral(array: unknown[]): string | undefined {
  if (!array.every(plainElement)) return undefined
  if (array.some(Array.isArray)) {
    // A nested array: brackets inside strings must stay, so each level is written on its own.
    const parts: string[] = []
    for (const element of array) {
      if (element === null || element === undefined) return undefined
      const inner = Array.isArray(element) ? arrayLiteral(element) : undefined
      if (inner === undefined) return undefined
      parts.push(inner)
    }
    return `{${parts.join(",")}}`
  }
  const json = JSON.stringify(array)
  if (OTHER_ESCAPES.test(json)) return undefined
  return `{${json.slice(1, -1)}}`
}

/** `values` with each array parameter as its literal where JSON can write it (a copy, or `values` itself). */
export function encodeParameters(values: unknown[]): unknown[] {
  let encoded: unknown[] | undefined
  for (let i = 0; i < values.length; i++) {
    const value = values[i]
    if (!Array.isArray(value)) continue
    const literal = arrayLiteral(value)
    if (literal === undefined) continue
    encoded ??= values.slice()
    encoded[i] = literal
  }
  return encoded ?? values
}

const TIMESTAMPTZ = 1184

/** The decimal digit at `at` (0–9), or a value outside 0–9. */
const digit = (text: string, at: number) => text.charCodeAt(at) - 48

/** The two-digit number at `at`, or NaN. */
function two(text: string, at: number): number {
  const a = digit(text, at)
  const b = digit(text, at + 1)
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN
}

/** Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yearOfEra = y - era * 400
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear
  return era * 146097 + dayOfEra - 719468
}

/**
 * The instant of PostgreSQL's ISO output of a timestamptz, `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]]`
 * with a four-digit year from 1000; undefined for any other form (infinity, BC, other years
 * or date styles), which the driver's parser reads.
 */
export function parseTimestamptz(text: string): Date | undefined {
  const length = text.length
  if (length < 22 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 || text.charCodeAt(10) !== 32) return undefined
  if (text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58) return undefined
  const year = two(text, 0) * 100 + two(text, 2)
  if (!(year >= 1000)) return undefined
  let at = 19
  let ms = 0
  if (text.charCodeAt(at) === 46) {
    // Milliseconds are the fraction's first three digits (what the driver's 1000 × parseFloat
    // comes to once Date truncates it, for every fraction of up to six digits).
    const start = ++at
    let scale = 100
    for (let d = digit(text, at); d >= 0 && d <= 9; d = digit(text, ++at)) {
      ms += d * scale
      scale = scale > 1 ? scale / 10 : 0
    }
    if (at === start || at - start > 6) return undefined
  }
  const sign = text.charCodeAt(at)
  if (sign !== 43 && sign !== 45) return undefined
  let offset = two(text, at + 1) * 3600
  at += 3
  if (at < length && text.charCodeAt(at) === 58) {
    offset += two(text, at + 1) * 60
    at += 3
    if (at < length && text.charCodeAt(at) === 58) {
      offset += two(text, at + 1)
      at += 3
    }
  }
  if (at !== length) return undefined
  const month = two(text, 5)
  const day = two(text, 8)
  if (!(month >= 1 && month <= 12 && day >= 1 && day <= 31)) return undefined
  const seconds = two(text, 11) * 3600 + two(text, 14) * 60 + two(text, 17) + (sign === 43 ? -offset : offset)
  if (Number.isNaN(seconds)) return undefined
  return new Date(daysFromCivil(year, month, day) * 86400000 + seconds * 1000 + ms)
}

type Parser = (text: string) => unknown

/**
 * What `pg` accepts as a query's `types`: the parser of each result column's type. `pg` also
 * sends a query's `types` in its Parse message as the parameters' type OIDs, `types.length`
 * of them: none here (the statements cast their parameters).
 */
export interface ResultTypes {
  readonly length: 0
  getTypeParser(oid: number, format?: string): Parser
}

/** A `pg` client, as far as its result types go. */
interface TypedClient {
  getTypeParser(oid: number, format?: string): Parser
}

/** Sample outputs, each read by the driver's default parser to the Date beside it. */
const SAMPLES: [string, number][] = [
  ["2026-12-07 18:30:12.123456+00", Date.UTC(2026, 11, 7, 18, 30, 12, 123)],
  ["1999-01-31 23:59:59+05:30", Date.UTC(1999, 0, 31, 23, 59, 59) - 19800000],
  ["2024-02-29 00:00:00.9-08", Date.UTC(2024, 1, 29, 8, 0, 0, 900)],
]

const typesByClient = new WeakMap<object, ResultTypes | null>()

/**
 * The result types of a query on `client`: its own, with the fast timestamptz parser in front
 * of the default one; null when the client's timestamp parser is not the default.
 */
export function resultTypesFor(client: TypedClient): ResultTypes | undefined {
  const known = typesByClient.get(client)
  if (known !== undefined) return known ?? undefined
  let types: ResultTypes | null = null
  if (typeof client.getTypeParser === "function") {
    const own = client.getTypeParser(TIMESTAMPTZ, "text")
    const isDefault = SAMPLES.every(([text, time]) => {
      const parsed = own(text)
      return parsed instanceof Date && parsed.getTime() === time
    })
    if (isDefault) {
      const fast: Parser = (text) => parseTimestamptz(text) ?? own(text)
      types = {
        length: 0,
        getTypeParser: (oid, format = "text") => (oid === TIMESTAMPTZ && format === "text" ? fast : client.getTypeParser(oid, format)),
      }
    }
  }
  typesByClient.set(client, types)
  return types ?? undefined
}
