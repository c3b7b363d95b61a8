import { countParam, ledgerService, listParam, Request, respond, Response } from "../../../http"
import { StockLevelReader, withProducts } from "../products"

/**
 * GET /admin/stock/low-stock?location_id=&limit=&offset=
 * The levels under their low-stock threshold (the level's metadata.low_stock_threshold, else the
 * module's lowStockThreshold option), most short first, with available, threshold and product.
 */
export async function GET(req: Request, res: Response): Promise<void> {
  await respond(res, async () => {
    const service = ledgerService<StockLevelReader>(req, "listStockLevels")
    const limit = countParam(req, "limit", 20, 1000)
    const offset = countParam(req, "offset", 0)
    const [levels, count] = await service.listStockLevels({ location_id: listParam(req, "location_id"), low_stock: true }, { skip: offset, take: Math.max(limit, 1) })
    return { levels: await withProducts(req, levels), count, limit, offset }
  })
}
