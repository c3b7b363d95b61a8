import { MedusaError } from "@medusajs/utils"

/**
 * What the plugin's routes need of Medusa 1.20's request and response (express, with Medusa's
 * request-scoped container and the authenticated admin), without depending on @medusajs/medusa.
 */
export interface Request {
  params: Record<string, string>
  query: Record<string, unknown>
  body?: unknown
  headers: Record<string, string | string[] | undefined>
  scope: { resolve<T = unknown>(name: string): T }
  user?: { userId?: string; id?: string }
}

export interface Response {
  status(code: number): Response
  json(body: unknown): void
}

/** The inventory service Medusa resolved: ours, or an error saying the routes need it. */
export function ledgerService<T>(req: Request, method: string): T {
  const service = req.scope.resolve<Record<string, unknown>>("inventoryService")
  if (!service || typeof service[method] !== "function") {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      `The stock ledger routes need medusa-inventory-typeorm as the inventoryService module (the current one has no ${method})`
    )
  }
  return service as T
}

/** A non-negative integer query parameter, or its default. */
export function countParam(req: Request, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = req.query[name]
  if (raw === undefined || raw === "") return fallback
  const value = typeof raw === "string" && /^\d+$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(value) || value > max) {
    throw new MedusaError(MedusaError.Types.INVALID_DATA, `"${name}" must be an integer from 0 to ${max} (got ${JSON.stringify(raw)})`)
  }
  return value
}

/** A string query parameter given once or several times (`?a=x&a=y`), or comma-separated. */
export function listParam(req: Request, name: string): string[] | undefined {
  const raw = req.query[name]
  if (raw === undefined || raw === "") return undefined
  const values = (Array.isArray(raw) ? raw : [raw]).flatMap((v) => String(v).split(",")).filter((v) => v !== "")
  return values.length ? values : undefined
}

/** The header's single value (express lowercases names). */
export function header(req: Request, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : value
}

/** The options of the module's ledger writers (medusa-inventory-typeorm's StockMovementOptions). */
export interface StockMovementOptions {
  reason?: string
  reference?: string
  actor?: string
  idempotency_key?: string
}

export function invalid(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, message)
}

/** The JSON body as an object whose fields are all among `fields`: 400 naming the others. */
export function bodyOf(req: Request, fields: string[]): Record<string, unknown> {
  const body = req.body ?? {}
  if (typeof body !== "object" || Array.isArray(body)) throw invalid(`The body must be a JSON object`)
  const input = body as Record<string, unknown>
  const unknown = Object.keys(input).filter((key) => !fields.includes(key))
  if (unknown.length) throw invalid(`Unknown field(s): ${unknown.map((k) => `"${k}"`).join(", ")} (use ${fields.join(", ")})`)
  return input
}

/** A non-empty string field of the body, or undefined when absent: 400 naming it otherwise. */
export function textField(body: Record<string, unknown>, name: string, required = false): string | undefined {
  const value = body[name]
  if (value === undefined || value === null) {
    if (required) throw invalid(`"${name}" is required`)
    return undefined
  }
  if (typeof value !== "string" || value === "") throw invalid(`"${name}" must be a non-empty string (got ${JSON.stringify(value)})`)
  return value
}

/** An integer field of the body (at least `min`), or undefined when absent and not required. */
export function integerField(body: Record<string, unknown>, name: string, min: number, required = false): number | undefined {
  const value = body[name]
  if (value === undefined || value === null) {
    if (required) throw invalid(`"${name}" is required`)
    return undefined
  }
  if (typeof value !== "number" || !Number.isInteger(value) || value < min) {
    throw invalid(`"${name}" must be an integer of at least ${min} (got ${JSON.stringify(value)})`)
  }
  return value
}

/** A date query parameter (an ISO 8601 date or date-time), or undefined. */
export function dateParam(req: Request, name: string): Date | undefined {
  const raw = req.query[name]
  if (raw === undefined || raw === "") return undefined
  const date = typeof raw === "string" && /^\d{4}-\d{2}-\d{2}/.test(raw) ? new Date(raw) : undefined
  if (!date || Number.isNaN(date.getTime())) throw invalid(`"${name}" must be a date such as 2026-12-01 (got ${JSON.stringify(raw)})`)
  return date
}

/** The admin who calls: recorded as the movements' actor. */
export function actorOf(req: Request): string | undefined {
  return req.user?.userId ?? req.user?.id
}

/**
 * Runs a route's work and answers 200 with its result. Medusa's error handler words every
 * CONFLICT as a generic retry hint and drops an error's data; a refusal the client must act on
 * (a stale quantity, not enough stock, a reused key: 409) or bad rows of a count (400) are
 * answered here with their message and `data`. Everything else goes to Medusa's handler.
 */
export async function respond(res: Response, work: () => Promise<unknown>): Promise<void> {
  let result: unknown
  try {
    result = await work()
  } catch (error) {
    const { type, message, data } = error as { type?: string; message: string; data?: unknown }
    if (type === MedusaError.Types.CONFLICT) {
      res.status(409).json({ type, message, data })
      return
    }
    if (type === MedusaError.Types.INVALID_DATA && data !== undefined) {
      res.status(400).json({ type, message, data })
      return
    }
    throw error
  }
  res.status(200).json(result)
}
