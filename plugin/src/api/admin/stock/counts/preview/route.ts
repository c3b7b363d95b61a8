import { ledgerService, Request, respond, Response } from "../../../../http"
import { csvOf } from "../csv"

interface Counter {
  previewStockCount(csv: string): Promise<unknown>
}

/**
 * POST /admin/stock/counts/preview — body: the count file (text/plain), or `{ csv }`.
 * Answers the diff `{ file_hash, rows: [{ line, sku, inventory_item_id, location_id, current, counted, delta }] }`;
 * writes nothing. Bad rows: 400 with `data.errors` (line and message of each).
 */
export async function POST(req: Request, res: Response): Promise<void> {
  await respond(res, async () => await ledgerService<Counter>(req, "previewStockCount").previewStockCount(csvOf(req)))
}
