import { actorOf, bodyOf, header, integerField, ledgerService, Request, respond, Response, textField } from "../../../../../../http"

interface SetAside {
  setAsideStock(input: Record<string, unknown>): Promise<unknown>
}

/**
 * POST /admin/inventory-items/:id/location-levels/:location_id/set-aside
 * Body `{ state: "damaged" | "quality_control" | "safety_stock", quantity, reason?, reference? }`.
 * The units leave stocked_quantity; answers `{ inventory_level }` with its `unavailable`
 * breakdown; 409 when the level has fewer units available.
 */
export async function POST(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const body = bodyOf(req, ["state", "quantity", "reason", "reference"])
    const inventory_level = await ledgerService<SetAside>(req, "setAsideStock").setAsideStock({
      inventory_item_id: req.params.id,
      location_id: req.params.location_id,
      state: textField(body, "state", true),
      quantity: integerField(body, "quantity", 1, true),
      reason: textField(body, "reason"),
      reference: textField(body, "reference"),
      actor: actorOf(req),
      idempotency_key: header(req, "idempotency-key") || undefined,
    })
    return { inventory_level }
  })
}
