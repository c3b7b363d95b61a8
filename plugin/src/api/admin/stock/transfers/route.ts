import { actorOf, bodyOf, countParam, header, integerField, invalid, ledgerService, Request, respond, Response, textField } from "../../../http"

interface Transfers {
  listTransfers(selector: Record<string, unknown>, config: Record<string, unknown>): Promise<[unknown[], number]>
  transferStock(input: Record<string, unknown>): Promise<unknown>
}

const STATUSES = ["in_transit", "received"]

/** GET /admin/stock/transfers?status=in_transit|received&inventory_item_id=&limit=&offset= — newest first. */
export async function GET(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const service = ledgerService<Transfers>(req, "listTransfers")
    const limit = countParam(req, "limit", 20, 1000)
    const offset = countParam(req, "offset", 0)
    const selector: Record<string, unknown> = {}
    const status = req.query.status
    if (status !== undefined && status !== "") {
      if (typeof status !== "string" || !STATUSES.includes(status)) throw invalid(`"status" must be one of ${STATUSES.join(", ")} (got ${JSON.stringify(status)})`)
      selector.status = status
    }
    if (typeof req.query.inventory_item_id === "string" && req.query.inventory_item_id) selector.inventory_item_id = req.query.inventory_item_id
    const [transfers, count] = await service.listTransfers(selector, { skip: offset, take: limit })
    return { transfers, count, limit, offset }
  })
}

const FIELDS = ["inventory_item_id", "from_location_id", "to_location_id", "quantity", "in_transit", "reference"]

/**
 * POST /admin/stock/transfers
 * Body `{ inventory_item_id, from_location_id, to_location_id, quantity, in_transit?, reference? }`,
 * header `Idempotency-Key` (optional). Answers `{ transfer }`; 409 when the source lacks the
 * available units (the message names the source, the need and what is available).
 */
export async function POST(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const body = bodyOf(req, FIELDS)
    const inTransit = body.in_transit
    if (inTransit !== undefined && typeof inTransit !== "boolean") throw invalid(`"in_transit" must be a boolean (got ${JSON.stringify(inTransit)})`)
    const input = {
      inventory_item_id: textField(body, "inventory_item_id", true),
      from_location_id: textField(body, "from_location_id", true),
      to_location_id: textField(body, "to_location_id", true),
      quantity: integerField(body, "quantity", 1, true),
      in_transit: inTransit === true,
      reference: textField(body, "reference"),
      actor: actorOf(req),
      idempotency_key: header(req, "idempotency-key") || undefined,
    }
    const transfer = await ledgerService<Transfers>(req, "transferStock").transferStock(input)
    return { transfer }
  })
}
