import { actorOf, bodyOf, invalid, ledgerService, Request, respond, Response, textField } from "../../../../http"

interface Counter {
  applyStockCount(csv: string, options: Record<string, unknown>): Promise<unknown>
}

/**
 * POST /admin/stock/counts/apply — body `{ csv, expected, reference? }`: the count file and the
 * current quantities its diff showed, one per row in the file's order. Applies every row in one
 * transaction (compare-and-set, reason cycle_count, the file's hash as idempotency key).
 * 409 with `data.rows` naming the rows that changed since the diff; nothing is written then.
 */
export async function POST(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const body = bodyOf(req, ["csv", "expected", "reference"])
    const csv = textField(body, "csv", true)!
    if (!Array.isArray(body.expected)) throw invalid(`"expected" must be the array of the diff's current quantities (got ${JSON.stringify(body.expected)})`)
    return await ledgerService<Counter>(req, "applyStockCount").applyStockCount(csv, {
      expected: body.expected,
      reference: textField(body, "reference"),
      actor: actorOf(req),
    })
  })
}
