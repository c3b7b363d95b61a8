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
