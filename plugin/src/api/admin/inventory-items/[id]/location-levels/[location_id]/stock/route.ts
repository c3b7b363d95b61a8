import { MedusaError } from "@medusajs/utils"
import { header, ledgerService, Request, Response, StockMovementOptions } from "../../../../../../http"

interface LedgerWriter {
  setStockedQuantities(changes: unknown[], options: StockMovementOptions): Promise<unknown[]>
  adjustStockedQuantities(changes: unknown[], options: StockMovementOptions): Promise<unknown[]>
}

const FIELDS = ["set", "expected", "adjust", "reason", "reference"]

function invalid(message: string): MedusaError {
  return new MedusaError(MedusaError.Types.INVALID_DATA, message)
}

function optionalInteger(body: Record<string, unknown>, name: string): number | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "number" || !Number.isInteger(value)) throw invalid(`"${name}" must be an integer (got ${JSON.stringify(value)})`)
  return value
}

function optionalText(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== "string" || value === "") throw invalid(`"${name}" must be a non-empty string (got ${JSON.stringify(value)})`)
  return value
}

/**
 * POST /admin/inventory-items/:id/location-levels/:location_id/stock
 * Body `{ set?, expected?, adjust?, reason?, reference? }` (exactly one of set and adjust;
 * expected only with set), header `Idempotency-Key` (optional). Answers the level; 409 when
 * `expected` is stale or the key was used for another request; 401 without an admin session.
 */
export async function POST(req: Request, res: Response): Promise<void> {
  const body = req.body ?? {}
  if (typeof body !== "object" || Array.isArray(body)) throw invalid(`The body must be a JSON object`)
  const input = body as Record<string, unknown>
  const unknown = Object.keys(input).filter((key) => !FIELDS.includes(key))
  if (unknown.length) throw invalid(`Unknown field(s): ${unknown.map((k) => `"${k}"`).join(", ")} (use ${FIELDS.join(", ")})`)
  const set = optionalInteger(input, "set")
  const adjust = optionalInteger(input, "adjust")
  const expected = optionalInteger(input, "expected")
  if ((set === undefined) === (adjust === undefined)) throw invalid(`Give exactly one of "set" and "adjust"`)
  if (expected !== undefined && set === undefined) throw invalid(`"expected" goes with "set" (compare-and-set)`)

  const options: StockMovementOptions = {
    reason: optionalText(input, "reason"),
    reference: optionalText(input, "reference"),
    actor: req.user?.userId ?? req.user?.id,
    idempotency_key: header(req, "idempotency-key") || undefined,
  }
  const key = { inventory_item_id: req.params.id, location_id: req.params.location_id }
  try {
    const [level] =
      set !== undefined
        ? await ledgerService<LedgerWriter>(req, "setStockedQuantities").setStockedQuantities(
            [{ ...key, quantity: set, ...(expected === undefined ? {} : { expected_quantity: expected }) }],
            options
          )
        : await ledgerService<LedgerWriter>(req, "adjustStockedQuantities").adjustStockedQuantities([{ ...key, delta: adjust }], options)
    res.status(200).json({ inventory_level: level })
  } catch (error) {
    // Medusa's error handler words every CONFLICT as a generic retry hint; a stale `expected`
    // or a reused key needs its own message (and the current quantity, in `data`) to act on.
    if (error instanceof Error && (error as MedusaError).type === MedusaError.Types.CONFLICT) {
      res.status(409).json({ type: MedusaError.Types.CONFLICT, message: error.message, data: (error as { data?: unknown }).data })
      return
    }
    throw error
  }
}
