import { countParam, ledgerService, listParam, Request, respond, Response } from "../../../http"
import { StockLevelReader, withProducts } from "../products"

/**
 * GET /admin/stock/levels?location_id=&q=&limit=&offset=
 * The levels with their sku, title, available quantity, threshold, units set aside and product.
 */
export async function GET(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const service = ledgerService<StockLevelReader>(req, "listStockLevels")
    const limit = countParam(req, "limit", 20, 1000)
    const offset = countParam(req, "offset", 0)
    const q = typeof req.query.q === "string" && req.query.q !== "" ? req.query.q : undefined
    const [levels, count] = await service.listStockLevels({ location_id: listParam(req, "location_id"), q }, { skip: offset, take: Math.max(limit, 1) })
    return { levels: await withProducts(req, levels), count, limit, offset }
  })
}
