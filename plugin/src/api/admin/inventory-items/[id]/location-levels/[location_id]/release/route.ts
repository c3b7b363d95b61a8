import { actorOf, bodyOf, header, integerField, ledgerService, Request, respond, Response, textField } from "../../../../../../http"

interface Release {
  releaseSetAside(input: Record<string, unknown>): Promise<unknown>
}

/**
 * POST /admin/inventory-items/:id/location-levels/:location_id/release
 * Body `{ state, quantity, to: "stocked" | "discard", reference? }`: units set aside back to stock,
 * or out of the inventory. 409 when fewer are set aside in that state.
 */
export async function POST(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const body = bodyOf(req, ["state", "quantity", "to", "reference"])
    const inventory_level = await ledgerService<Release>(req, "releaseSetAside").releaseSetAside({
      inventory_item_id: req.params.id,
      location_id: req.params.location_id,
      state: textField(body, "state", true),
      quantity: integerField(body, "quantity", 1, true),
      to: textField(body, "to", true),
      reference: textField(body, "reference"),
      actor: actorOf(req),
      idempotency_key: header(req, "idempotency-key") || undefined,
    })
    return { inventory_level }
  })
}
