import { actorOf, bodyOf, header, integerField, ledgerService, Request, respond, Response, textField } from "../../../../../http"

interface Receiver {
  receiveTransfer(id: string, input: Record<string, unknown>): Promise<unknown>
}

/**
 * POST /admin/stock/transfers/:id/receive
 * Body `{ received_quantity, reference? }`. A short receipt records the missing units as a
 * `transfer_loss` movement; the transfer is closed either way. 409 for a closed transfer, 404
 * for an unknown one.
 */
export async function POST(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const body = bodyOf(req, ["received_quantity", "reference"])
    const transfer = await ledgerService<Receiver>(req, "receiveTransfer").receiveTransfer(req.params.id, {
      received_quantity: integerField(body, "received_quantity", 0, true),
      reference: textField(body, "reference"),
      actor: actorOf(req),
      idempotency_key: header(req, "idempotency-key") || undefined,
    })
    return { transfer }
  })
}
